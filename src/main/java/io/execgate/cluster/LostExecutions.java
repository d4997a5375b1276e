package io.execgate.cluster;

import io.execgate.bus.Addresses;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.Usage;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiFunction;

/**
 * Finishes what a lost worker left: for each of its live entries that this gateway claims, an
 * execution that had not started a container goes to another worker when this gateway still holds
 * its job; any other ends in {@code error}, its record written and an {@code exit} frame published so
 * that waiting clients answer and stream relays end. The quota place it held is given back.
 */
final class LostExecutions {

  private static final Logger log = LoggerFactory.getLogger(LostExecutions.class);
  /**
   * The seq of the exit frame of a lost execution. Its real place in the stream died with the worker:
   * a relay sees a gap, finds no executor to replay from and the record final, and ends the stream
   * with replay_unavailable pointing at the record; a waiting client reads the record.
   */
  static final long LOST_SEQ = Long.MAX_VALUE / 2;

  private final Vertx vertx;
  private final Addresses addresses;
  private final ExecutionStore store;
  private final LiveIndex index;
  /** Sends a pending job to another worker than the one given. */
  private final BiFunction<Pending, String, Future<Void>> redispatch;
  long lost;
  long redispatched;

  LostExecutions(Vertx vertx, Addresses addresses, ExecutionStore store, LiveIndex index,
                 BiFunction<Pending, String, Future<Void>> redispatch) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.store = store;
    this.index = index;
    this.redispatch = redispatch;
  }

  /**
   * @param stored  the live entry as read from the live map (claimed only if it still is that)
   * @param pending the job, when this gateway dispatched it and it had not started, else {@code null}
   */
  Future<Void> recover(String id, JsonObject stored, LiveEntry entry, Pending pending) {
    return index.claim(id, stored).compose(won -> {
      if (!won) {
        return Future.succeededFuture();
      }
      if (entry.charged() && entry.owner() != null) {
        index.quota(entry.owner()).compose(c -> c.decrementAndGet());
      }
      return store.get(id).compose(record -> finish(id, record, entry, pending));
    });
  }

  private Future<Void> finish(String id, ExecutionResult record, LiveEntry entry, Pending pending) {
    if (record != null && (record.status().isFinal()
      || (record.worker() != null && !record.worker().equals(entry.instance())))) {
      // it ended before the worker went, or another worker took it
      return Future.succeededFuture();
    }
    ExecutionStatus status = record == null ? ExecutionStatus.QUEUED : record.status();
    boolean started = status != ExecutionStatus.QUEUED && status != ExecutionStatus.PULLING;
    String lostWhile = "worker " + entry.instance() + " left the cluster while the execution was " + status.id();
    if (!started && pending != null) {
      return redispatch.apply(pending, entry.worker())
        .onSuccess(v -> {
          redispatched++;
          log.info("[{}] {}: sent to another worker", id, lostWhile);
        })
        .recover(err -> fail(id, record, pending.job(), entry, lostWhile + ", and no other worker could take it: "
          + err.getMessage()));
    }
    return fail(id, record, pending == null ? null : pending.job(), entry, lostWhile
      + (started ? "; what it printed since is lost" : ""));
  }

  private Future<Void> fail(String id, ExecutionResult record, ExecutionJob job, LiveEntry entry, String message) {
    ExecutionResult base = record != null ? record : job != null ? ExecutionResult.submitted(job) : null;
    ExecutionResult result = new ExecutionResult(id, ExecutionStatus.ERROR, null, null, "", "", false, false,
      base == null ? null : base.image(), base == null ? null : base.language(), null, null, Usage.UNKNOWN, message,
      base == null ? 0 : base.submittedAt(), null, entry.instance(), base != null && base.owner() != null
      ? base.owner() : entry.owner());
    lost++;
    log.warn("[{}] error: {}", id, message);
    return store.put(result).onSuccess(v -> {
      long t = result.submittedAt() == 0 ? 0 : Math.max(0, System.currentTimeMillis() - result.submittedAt());
      vertx.eventBus().publish(addresses.output(id), Frame.exit(LOST_SEQ, t, result));
    });
  }
}
