package io.execgate.auth;

/**
 * A token bucket of {@code perMinute} tokens that refills continuously: the arithmetic of the
 * per-key request rate ({@link RateLimiter}) and of the per-address throttle of failed
 * authentications ({@link FailedAuthThrottle}). Not thread-safe: its owner synchronizes.
 */
final class TokenBucket {

  private double tokens;
  private long refilledAt;

  /**
   * @return a full bucket of {@code perMinute} tokens
   */
  TokenBucket(int perMinute, long nowNanos) {
    this.tokens = perMinute;
    this.refilledAt = nowNanos;
  }

  /**
   * Adds what {@code perMinute} gave since the last refill, up to a full bucket.
   */
  void refill(int perMinute, long nowNanos) {
    tokens = Math.min(perMinute, tokens + (nowNanos - refilledAt) * (perMinute / 60e9));
    refilledAt = nowNanos;
  }

  /**
   * @return whether a token was there; it is taken
   */
  boolean tryTake() {
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * Takes a token if there is one, never going below empty.
   */
  void drain() {
    tokens = Math.max(0, tokens - 1);
  }

  /**
   * @return 0 when a token is there, else the seconds until {@code perMinute} gives one
   */
  long secondsUntilToken(int perMinute) {
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / (perMinute / 60e9) / 1e9);
  }
}
