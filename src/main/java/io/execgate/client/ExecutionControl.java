package io.execgate.client;

import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.ExecutionChannel;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.store.ExecutionStore;
import io.execgate.store.StoredRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.Map;

/**
 * Reads an execution's record and cancels it: {@code GET} and {@code DELETE /v1/executions/{id}},
 * and {@link io.execgate.ExecutionClient#get} and {@link io.execgate.ExecutionClient#cancel}.
 */
public final class ExecutionControl {

  private final ExecutionChannel executions;
  private final ExecutionStore store;

  public ExecutionControl(Vertx vertx, Addresses addresses, ExecutionStore store) {
    this.executions = new ExecutionChannel(vertx.eventBus(), addresses);
    this.store = store;
  }

  /**
   * Reads an execution's record for {@code principal}: another key's execution is answered exactly as
   * an unknown one (every route that names an execution goes through here).
   *
   * @return the execution's record, or fails with {@link ErrorCode#NOT_FOUND}
   */
  public Future<ExecutionResult> find(String id, Principal principal) {
    return findRecord(id, principal).map(StoredRecord::result);
  }

  /**
   * Reads an execution's record for {@code principal}, with where its texts are (see
   * {@link #find(String, Principal)}).
   *
   * @return the execution's record, or fails with {@link ErrorCode#NOT_FOUND}
   */
  public Future<StoredRecord> findRecord(String id, Principal principal) {
    return store.requireRecord(id).compose(record -> principal.mayAccess(record.result().owner(), record.result().id())
      ? Future.succeededFuture(record)
      : Future.failedFuture(ExecutionStore.notFound(id)));
  }

  /**
   * The record as it stands. A node that runs alone stores an execution's record when it is queued
   * and when it is final, not in between: a record stored as queued is asked of its run, which knows
   * whether it is starting or running by now.
   *
   * @param checked the stored record, its owner checked
   * @return the run's record when it is further than the stored one and not final yet; the stored
   *   record read again when the run ended meanwhile; else {@code checked}
   */
  public Future<StoredRecord> current(StoredRecord checked) {
    if (checked.result().status() != ExecutionStatus.QUEUED) {
      return Future.succeededFuture(checked);
    }
    String id = checked.result().id();
    return executions.state(id)
      .compose(live -> {
        if (live == null || live.status() == ExecutionStatus.QUEUED) {
          return Future.succeededFuture(checked);
        }
        if (live.status().isFinal()) {
          // written before it is announced: the store has it, texts and all
          return store.record(id).map(r -> r != null ? r : checked);
        }
        return Future.succeededFuture(new StoredRecord(live, Map.of()));
      })
      // no run answers (gone, or on a worker that left): the stored record is all there is
      .otherwise(checked);
  }

  /**
   * Cancels a live execution of {@code principal}: its container is killed.
   *
   * @return its final record, or fails with {@link ErrorCode#ALREADY_FINISHED} (or {@link ErrorCode#NOT_FOUND})
   */
  public Future<ExecutionResult> cancel(String id, Principal principal) {
    return find(id, principal).compose(result -> {
      if (result.status().isFinal()) {
        return Future.failedFuture(alreadyFinished(result));
      }
      return executions.cancel(id)
        .recover(err -> err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
          ? store.require(id).compose(r -> Future.failedFuture(alreadyFinished(r)))
          : Future.failedFuture(err));
    });
  }

  private static GatewayException alreadyFinished(ExecutionResult result) {
    return new GatewayException(ErrorCode.ALREADY_FINISHED, "execution " + result.id() + " already ended with status "
      + result.status().id());
  }
}
