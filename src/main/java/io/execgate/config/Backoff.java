package io.execgate.config;

/**
 * Delays between pull attempts: exponential (the first retry waits {@code initialMs}, each next one
 * twice as long, never more than {@code maxMs}) with "equal jitter": a random part of up to half of
 * the delay is taken off, so that gateways that failed together do not retry together, while each
 * delay stays at least half of its nominal value.
 */
public final class Backoff {

  /** The share of a delay that jitter may take off. */
  static final double JITTER = 0.5;

  private Backoff() {
  }

  /**
   * @param retry  1 for the first retry
   * @param random a number in [0, 1)
   * @return the delay before that retry
   */
  public static long delayMs(long initialMs, long maxMs, int retry, double random) {
    long nominal = maxDelayMs(initialMs, maxMs, retry);
    return nominal - (long) (nominal * JITTER * random);
  }

  /**
   * @return the nominal (longest) delay before {@code retry}
   */
  static long maxDelayMs(long initialMs, long maxMs, int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be at least 1, got " + retry);
    }
    int doublings = Math.min(retry - 1, 62);
    long delay = initialMs;
    for (int i = 0; i < doublings && delay < maxMs; i++) {
      delay = delay > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : delay * 2;
    }
    return Math.min(delay, maxMs);
  }

  /**
   * @return the shortest delay before {@code retry}
   */
  static long minDelayMs(long initialMs, long maxMs, int retry) {
    long nominal = maxDelayMs(initialMs, maxMs, retry);
    return nominal - (long) (nominal * JITTER);
  }
}
