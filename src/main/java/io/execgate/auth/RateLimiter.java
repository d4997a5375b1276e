package io.execgate.auth;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per minute per key, as token buckets: a key may burst up to its per-minute rate, then
 * gets one request per 60/rate seconds. Shared by a gateway's HTTP verticle instances through the
 * Vertx's local shared data; thread-safe.
 */
public final class RateLimiter implements Shareable {

  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /**
   * Takes one request from {@code key}'s bucket.
   *
   * @param perMinute the key's rate; 0 means unlimited
   * @param nowNanos  the current time
   * @return 0 when the request may go on, else the seconds until it may be retried
   */
  public long acquire(String key, int perMinute, long nowNanos) {
    if (perMinute <= 0) {
      return 0;
    }
    TokenBucket bucket = buckets.computeIfAbsent(key, k -> new TokenBucket(perMinute, nowNanos));
    synchronized (bucket) {
      bucket.refill(perMinute, nowNanos);
      return bucket.tryTake() ? 0 : bucket.secondsUntilToken(perMinute);
    }
  }
}
