package io.execgate.store;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.BatchRecord;
import io.execgate.model.CallbackState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.regex.Pattern;

/**
 * Batch records and webhook delivery states, beside the execution records and like them in Vert.x
 * shared {@link AsyncMap}s with the records' time to live: local when the gateway runs alone,
 * cluster-wide when its Vertx is clustered.
 */
public final class BatchStore {

  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Future<AsyncMap<String, JsonObject>> batches;
  private final Future<AsyncMap<String, JsonObject>> callbacks;
  private final long ttlMs;

  /**
   * Opens the maps; the store may be used at once (its operations wait for them).
   *
   * @param batchesMap   the name of the batches' map (per gateway)
   * @param callbacksMap the name of the delivery states' map (per gateway)
   * @param ttlMs        how long a record lives after its last write (the execution records' time to live)
   */
  public BatchStore(Vertx vertx, String batchesMap, String callbacksMap, long ttlMs) {
    this.batches = vertx.sharedData().getAsyncMap(batchesMap);
    this.callbacks = vertx.sharedData().getAsyncMap(callbacksMap);
    this.ttlMs = ttlMs;
  }

  public Future<Void> put(BatchRecord batch) {
    return batches.compose(map -> map.put(batch.id(), batch.toJson(), ttlMs));
  }

  /**
   * Forgets a batch that was not admitted.
   */
  public Future<Void> remove(String id) {
    return batches.compose(map -> map.remove(id)).mapEmpty();
  }

  /**
   * @return the batch, or a failed future with {@code not_found} when there is none (or the id is not
   *   a batch id at all)
   */
  public Future<BatchRecord> require(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Future.failedFuture(notFound(id));
    }
    return batches.compose(map -> map.get(id)).compose(json -> json == null ? Future.failedFuture(notFound(id))
      : Future.succeededFuture(BatchRecord.fromJson(json)));
  }

  /**
   * @return the failure of a read of a batch that does not exist, or that the caller may not see
   */
  public static GatewayException notFound(String id) {
    return new GatewayException(ErrorCode.NOT_FOUND, "no batch " + id + " (unknown, or its record expired)");
  }

  /**
   * Writes where the webhook delivery of execution or batch {@code id} stands.
   */
  public Future<Void> putCallback(String id, CallbackState state) {
    return callbacks.compose(map -> map.put(id, state.toJson(), ttlMs));
  }

  /**
   * @return where the webhook delivery of {@code id} stands, or {@code null} when it has none
   */
  public Future<CallbackState> callback(String id) {
    return callbacks.compose(map -> map.get(id)).map(json -> json == null ? null : CallbackState.fromJson(json));
  }
}
