package io.execgate.http;

import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.client.ExecutionControl;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionResult;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputPart;
import io.execgate.store.StoredRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the Judge0 API keeps what an execution's record does not hold (a submission's language id,
 * its expected output's digest, its short texts: the {@code judge0.submissions} map, for the records'
 * time to live) and how it reads a submission back with its whole texts, bounded by the output
 * characters all reads of this router hold at once.
 */
final class Judge0Submissions {

  /**
   * Characters of output this router may hold at once for Judge0 answers, which need whole texts
   * (Base64, the verdict's comparison): a batch read of 20 records of 4 MiB each, repeated, would
   * otherwise hold hundreds of MiB. Past it a read is 429, to be retried.
   */
  static final long MAX_HELD_CHARS = 32L << 20;

  /**
   * A submission read back; {@link #release} it once answered.
   *
   * @param submission what the Judge0 API kept of it, or {@code null} (made through another API)
   * @param chars      the output characters it holds, counted against {@link #MAX_HELD_CHARS} until released
   */
  record Found(ExecutionResult result, Judge0Submission submission, long chars) {
  }

  private final Vertx vertx;
  private final String mapName;
  private final ExecutionControl executions;
  private final ExecutionStore store;
  private final long ttlMs;
  private final AtomicLong held = new AtomicLong();
  private Future<AsyncMap<String, JsonObject>> submissions;

  Judge0Submissions(Vertx vertx, Addresses addresses, ExecutionControl executions, ExecutionStore store, long ttlMs) {
    this.vertx = vertx;
    this.mapName = addresses.judge0Map();
    this.executions = executions;
    this.store = store;
    this.ttlMs = ttlMs;
  }

  /**
   * Keeps a submission's Judge0 fields under its execution's id.
   */
  Future<Void> remember(String id, Judge0Submission submission) {
    return submissions().compose(map -> map.put(id, submission.toJson(), ttlMs));
  }

  /**
   * @return the submission with its texts; {@code not_found} when it is unknown or another key's,
   *   {@code capacity_exhausted} when its texts would hold more than {@link #MAX_HELD_CHARS} at once
   */
  Future<Found> read(String token, Principal principal) {
    return executions.findRecord(token, principal)
      .compose(executions::current)
      .compose(record -> hold(chars(record)).compose(chars -> store.full(record)
        .compose(result -> submissions()
          .compose(map -> map.get(token))
          .map(json -> new Found(result, json == null ? null : Judge0Submission.fromJson(json), chars)))
        .onFailure(err -> release(chars))));
  }

  /**
   * Gives back what a read held.
   */
  void release(Found found) {
    release(found.chars());
  }

  private static long chars(StoredRecord record) {
    long chars = 0;
    for (OutputPart part : OutputPart.values()) {
      chars += record.has(part) ? record.chars(part) : 0;
    }
    return chars;
  }

  private Future<Long> hold(long chars) {
    if (held.addAndGet(chars) > MAX_HELD_CHARS && chars > 0) {
      held.addAndGet(-chars);
      return Future.failedFuture(new GatewayException(ErrorCode.CAPACITY_EXHAUSTED,
        "too much output is being read through the Judge0 API at once; retry"));
    }
    return Future.succeededFuture(chars);
  }

  private void release(long chars) {
    held.addAndGet(-chars);
  }

  private synchronized Future<AsyncMap<String, JsonObject>> submissions() {
    if (submissions == null || submissions.failed()) {
      submissions = vertx.sharedData().getAsyncMap(mapName);
    }
    return submissions;
  }
}
