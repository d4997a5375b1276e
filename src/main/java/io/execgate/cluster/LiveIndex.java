package io.execgate.cluster;

import io.execgate.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;

import java.util.Map;

/**
 * The cluster-wide map of live executions ({@link LiveEntry}) and the per-key quota counters. A worker
 * adds an entry before its scheduler admits an execution and removes it when the execution gives its
 * place back; a gateway that finds an entry of a worker that left the cluster claims it (a
 * compare-and-remove, so exactly one gateway does) and finishes the execution.
 */
final class LiveIndex {

  private final Vertx vertx;
  private final Addresses addresses;
  private final AsyncMap<String, JsonObject> map;
  private final long ttlMs;

  private LiveIndex(Vertx vertx, Addresses addresses, AsyncMap<String, JsonObject> map, long ttlMs) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.map = map;
    this.ttlMs = ttlMs;
  }

  /**
   * @param ttlMs how long an entry lives at most (a safety net: entries are removed when released)
   */
  static Future<LiveIndex> open(Vertx vertx, Addresses addresses, long ttlMs) {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(addresses.liveMap())
      .map(m -> new LiveIndex(vertx, addresses, m, ttlMs));
  }

  Future<Void> put(String id, LiveEntry entry) {
    return map.put(id, entry.toJson(), ttlMs);
  }

  /**
   * @return the entry already live under {@code id} (then nothing is written), or {@code null} when this one was added
   */
  Future<JsonObject> putIfAbsent(String id, LiveEntry entry) {
    return map.putIfAbsent(id, entry.toJson(), ttlMs);
  }

  Future<Void> remove(String id) {
    return map.remove(id).mapEmpty();
  }

  /**
   * @return every entry, as stored (pass the value to {@link #claim})
   */
  Future<Map<String, JsonObject>> entries() {
    return map.entries();
  }

  /**
   * Removes the entry of {@code id} if it still is {@code stored}.
   *
   * @return whether this call removed it: the caller owns what is left of the execution
   */
  Future<Boolean> claim(String id, JsonObject stored) {
    return map.removeIfPresent(id, stored);
  }

  /**
   * @return the cluster-wide count of live executions charged to {@code owner}
   */
  Future<Counter> quota(String owner) {
    return vertx.sharedData().getCounter(addresses.liveQuotaCounter(owner));
  }
}
