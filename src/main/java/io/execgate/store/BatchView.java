package io.execgate.store;

import io.execgate.model.BatchRecord;
import io.execgate.model.CallbackState;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * A batch as clients read it ({@code GET /v1/batches/{id}} and its webhook): its executions' records
 * without their output, in request order, how many are in each status, and {@code "done"} once every
 * one is final. An execution whose record is not written yet counts as {@code queued}; one whose record
 * expired as {@code expired}.
 */
public final class BatchView {

  /** How long after a batch's submit a missing record means it expired: it is written at admission. */
  private static final long MISSING_GRACE_MS = 60_000;

  private final ExecutionStore executions;
  private final BatchStore batches;

  public BatchView(ExecutionStore executions, BatchStore batches) {
    this.executions = executions;
    this.batches = batches;
  }

  /**
   * @param withCallback whether to add the batch's own webhook delivery state (not in the webhook's body)
   */
  public Future<JsonObject> view(BatchRecord batch, boolean withCallback) {
    List<Future<ExecutionResult>> reads = new ArrayList<>();
    for (String id : batch.executionIds()) {
      reads.add(executions.get(id));
    }
    Future<CallbackState> callback = withCallback && batch.callbackUrl() != null ? batches.callback(batch.id())
      : Future.succeededFuture();
    return Future.all(Future.all(reads), callback).map(v -> {
      JsonArray list = new JsonArray();
      TreeMap<String, Integer> counts = new TreeMap<>();
      boolean done = true;
      for (int i = 0; i < reads.size(); i++) {
        ExecutionResult r = reads.get(i).result();
        String status;
        if (r == null) {
          status = batch.createdAt() + MISSING_GRACE_MS < System.currentTimeMillis() ? "expired"
            : ExecutionStatus.QUEUED.id();
          done &= status.equals("expired");
          list.add(new JsonObject().put("id", batch.executionIds().get(i)).put("status", status));
        } else {
          status = r.status().id();
          done &= r.status().isFinal();
          list.add(r.withoutOutput().toJson());
        }
        counts.merge(status, 1, Integer::sum);
      }
      JsonObject json = new JsonObject()
        .put("id", batch.id())
        .put("status", done ? "done" : "running")
        .put("createdAt", batch.createdAt())
        .put("executions", list)
        .put("counts", new JsonObject(new LinkedHashMap<>(counts)));
      if (withCallback && callback.result() != null) {
        json.put("callback", callback.result().toJson());
      }
      return json;
    });
  }

}
