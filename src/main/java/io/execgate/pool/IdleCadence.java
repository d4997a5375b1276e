package io.execgate.pool;

/**
 * How often the warm pool's checks (image re-check, listing of running containers) run: at their base
 * interval while executions come, rarer the longer no execution asked for a container, at most every
 * {@link #IDLE_CHECK_MAX_MS}. The checks cost engine calls (an image inspection per pool and two of its
 * checks, a listing) that an idle gateway would otherwise pay every 10 s. Touched on the pool's context only.
 */
final class IdleCadence {

  /** The longest interval between the checks once the pools have been idle long. */
  static final long IDLE_CHECK_MAX_MS = 300_000;

  /** When an execution last asked for a container (or the pool started). */
  private long askedAt = System.currentTimeMillis();

  /** An execution asked for a container: the checks return to their base interval. */
  void asked() {
    askedAt = System.currentTimeMillis();
  }

  /**
   * @return the interval of a check whose base is {@code baseMs}, at time {@code now}
   */
  long interval(long baseMs, long now) {
    return intervalMs(baseMs, now - askedAt);
  }

  /**
   * @return {@code baseMs} while executions come; then a quarter of the time since one last asked for a
   *   container, at most {@link #IDLE_CHECK_MAX_MS}: the longer the pools idle, the rarer their checks
   */
  static long intervalMs(long baseMs, long idleMs) {
    return Math.max(baseMs, Math.min(IDLE_CHECK_MAX_MS, idleMs / 4));
  }
}
