package io.execgate.docker;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads of their own and a bounded queue for one purpose of blocking engine calls, so that work
 * of one purpose never waits behind another's: a flood of client-triggered calls fills its own
 * queue, not the one that kills and removes containers. A call past the bound fails at once.
 * Thread-safe: executors on several threads submit to the same lane.
 */
final class EngineLane {

  /** What a lane serves. */
  enum Purpose {
    /** Kills, removals, listings for reaping and sweeping: what keeps deadlines and cleans up. */
    ENFORCEMENT("enforcement"),
    /** The executions' own lifecycle: create, start, inspect, update, rename, image checks. */
    LIFECYCLE("lifecycle"),
    /** Work a client asks for while its execution runs: signals. */
    CLIENT("client");

    final String id;

    Purpose(String id) {
      this.id = id;
    }
  }

  private final Purpose purpose;
  private final WorkerExecutor executor;
  private final int threads;
  private final int maxQueued;
  /** Calls submitted and not finished: running plus queued. */
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();

  /**
   * @param threads   threads running this lane's calls
   * @param maxQueued calls that may wait for a thread; one more fails at once
   */
  EngineLane(Vertx vertx, String name, Purpose purpose, int threads, int maxQueued, long maxExecuteMs) {
    this.purpose = purpose;
    this.threads = threads;
    this.maxQueued = maxQueued;
    this.executor = vertx.createSharedWorkerExecutor(name + "-" + purpose.id, threads, maxExecuteMs,
      TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code task} on one of the lane's threads.
   *
   * @return its result on the caller's context, or a failed future ({@code capacity_exhausted})
   *   when the lane's queue is full
   */
  <T> Future<T> submit(String what, Callable<T> task) {
    if (pending.incrementAndGet() > threads + maxQueued) {
      pending.decrementAndGet();
      refused.incrementAndGet();
      return Future.failedFuture(new GatewayException(ErrorCode.CAPACITY_EXHAUSTED, what + ": the engine's "
        + purpose.id + " queue is full (" + maxQueued + " calls waiting); try again later"));
    }
    return executor.executeBlocking(() -> {
      try {
        return task.call();
      } finally {
        pending.decrementAndGet();
      }
    }, false);
  }

  /**
   * Runs {@code task} on one of the lane's threads, bounded in time, its failure translated.
   *
   * @param timeoutMs how long the call may take, queueing included
   * @param host      the engine's address, for the error message
   */
  <T> Future<T> call(String what, Callable<T> task, long timeoutMs, String host) {
    return submit(what, task)
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .recover(err -> Future.failedFuture(DockerErrors.map(err, what, host)));
  }

  Purpose purpose() {
    return purpose;
  }

  /**
   * @return calls running or waiting
   */
  int pending() {
    return pending.get();
  }

  /**
   * @return calls refused because the queue was full, since the lane was created
   */
  long refused() {
    return refused.get();
  }

  void close() {
    executor.close();
  }
}
