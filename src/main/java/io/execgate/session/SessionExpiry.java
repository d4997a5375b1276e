package io.execgate.session;

/**
 * When a session ends by itself: past its lifetime (even while an execution runs: the lifetime is a
 * hard bound), or idle past its idle timeout (an execution or a file call in progress is activity).
 */
final class SessionExpiry {

  static final String IDLE = "expired_idle";
  static final String LIFETIME = "expired_lifetime";

  private SessionExpiry() {
  }

  /**
   * @param nowMs        the time now, epoch milliseconds
   * @param createdAtMs  when the session was created
   * @param lifetimeMs   its lifetime
   * @param lastUsedAtMs when its last execution or file call ended (or it was created)
   * @param idleMs       its idle timeout
   * @param busy         whether an execution or a file call is in progress
   * @return {@link #LIFETIME}, {@link #IDLE}, or {@code null} when it lives on
   */
  static String reason(long nowMs, long createdAtMs, long lifetimeMs, long lastUsedAtMs, long idleMs, boolean busy) {
    if (nowMs - createdAtMs >= lifetimeMs) {
      return LIFETIME;
    }
    if (!busy && nowMs - lastUsedAtMs >= idleMs) {
      return IDLE;
    }
    return null;
  }
}
