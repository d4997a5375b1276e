package io.execgate.store;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Execution records in a Vert.x shared {@link AsyncMap}, with a time to live: local when the
 * gateway runs alone, cluster-wide when its Vertx is clustered. Values are stored as JSON, which
 * every cluster manager can carry.
 */
public final class ExecutionStore {

  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final AsyncMap<String, JsonObject> map;
  private final long ttlMs;
  private final String worker;

  private ExecutionStore(AsyncMap<String, JsonObject> map, long ttlMs, String worker) {
    this.map = map;
    this.ttlMs = ttlMs;
    this.worker = worker;
  }

  /**
   * @param name  the map's name (per gateway)
   * @param ttlMs how long a record lives after its last write
   */
  public static Future<ExecutionStore> open(Vertx vertx, String name, long ttlMs) {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(name).map(m -> new ExecutionStore(m, ttlMs, null));
  }

  /**
   * @param worker the instance id of the cluster worker that writes through this store
   * @return a store over the same map that stamps every record it writes with {@code worker}
   */
  public ExecutionStore stampedBy(String worker) {
    return new ExecutionStore(map, ttlMs, worker);
  }

  /**
   * @return {@code record} as this store writes it: with its worker, when the store has one
   */
  public ExecutionResult stamped(ExecutionResult record) {
    return worker == null ? record : record.withWorker(worker);
  }

  public Future<Void> put(ExecutionResult record) {
    return map.put(record.id(), stamped(record).toJson(), ttlMs);
  }

  /**
   * @return the record, or {@code null} when there is none (unknown or expired)
   */
  public Future<ExecutionResult> get(String id) {
    return map.get(id).map(json -> json == null ? null : ExecutionResult.fromJson(json));
  }

  /**
   * @return the record, or a failed future with {@code not_found} when there is none (or the id is
   *   not an execution id at all)
   */
  public Future<ExecutionResult> require(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Future.failedFuture(new GatewayException(ErrorCode.NOT_FOUND, "no execution " + id));
    }
    return get(id).compose(result -> result == null ? Future.failedFuture(notFound(id)) : Future.succeededFuture(result));
  }

  /**
   * @return the failure of a read of an execution that does not exist, or that the caller may not see:
   *   the two must be told apart by nothing
   */
  public static GatewayException notFound(String id) {
    return new GatewayException(ErrorCode.NOT_FOUND, "no execution " + id + " (unknown, or its record expired)");
  }

  public long ttl(TimeUnit unit) {
    return unit.convert(ttlMs, TimeUnit.MILLISECONDS);
  }
}
