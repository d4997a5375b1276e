package io.execgate.executor;

import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.store.RecordOutput;
import io.execgate.store.StoredRecord;
import io.execgate.stream.FrameLog;
import io.vertx.core.Future;

import java.util.Map;

/**
 * One execution's record as its run writes it: each status in turn (stored and announced as a
 * frame), then the final record with its texts. Writes are chained, so the store sees them in order
 * whatever each one takes. Lives on the execution's context.
 */
final class RunRecord {

  private final ExecutorContext ec;
  private final FrameLog frames;
  private final GatewayMetrics metrics;
  private final boolean clustered;
  private ExecutionResult record;
  private Future<Void> writes = Future.succeededFuture();

  RunRecord(ExecutorContext ec, ExecutionJob job, FrameLog frames) {
    this.ec = ec;
    this.frames = frames;
    this.metrics = GatewayMetrics.of(ec.vertx(), ec.addresses().prefix());
    this.clustered = ec.options().getCluster().isEnabled();
    this.record = ExecutionResult.submitted(job);
  }

  /**
   * @return the record as it stands
   */
  ExecutionResult current() {
    return record;
  }

  /**
   * @return whether the final record was set
   */
  boolean isFinal() {
    return record.status().isFinal();
  }

  /**
   * Writes the record as submitted, without announcing it.
   */
  Future<Void> submitted() {
    return write(record);
  }

  /**
   * Moves the record to {@code status}: announced to the watchers, and stored when someone else needs
   * it stored. A node that runs alone does not store the passing {@code starting} and {@code running}
   * (a read of a queued record asks the run, see {@code ExecutionControl.current}); a cluster does: a
   * lost worker's executions still queued by their record never ran, and go to another worker.
   *
   * @return when it is stored
   */
  Future<Void> status(ExecutionStatus status) {
    record = record.withStatus(status);
    Future<Void> written = stored(status) ? write(record) : writes;
    frames.status(status);
    return written;
  }

  private boolean stored(ExecutionStatus status) {
    return clustered || (status != ExecutionStatus.STARTING && status != ExecutionStatus.RUNNING);
  }

  private Future<Void> write(ExecutionResult rec) {
    metrics.recordWritten(rec.status().id());
    writes = writes.transform(ar -> ec.store().put(rec));
    return writes;
  }

  /**
   * Writes the final record with its texts; from then on they count against the retained-output
   * budget until they expire or are evicted.
   *
   * @param texts the program's texts, or {@code null} when it never had output
   */
  Future<Void> writeFinal(ExecutionResult result, RecordOutput texts) {
    record = result;
    metrics.recordWritten(result.status().id());
    Future<StoredRecord> stored = writes.transform(ar -> ec.store()
      .put(result, texts == null ? Map.of() : texts.pieces()));
    writes = stored.mapEmpty();
    if (texts != null) {
      stored.onSuccess(r -> texts.stored(ec.store(), r, ec.options().getExecutor().getRecordTtlSeconds() * 1000))
        .onFailure(err -> texts.release());
    }
    return writes;
  }
}
