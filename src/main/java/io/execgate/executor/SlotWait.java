package io.execgate.executor;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * How an execution holds a run slot of the scheduler: it asks for one and waits at most
 * {@code executor.maxQueueWaitMs}, and gives it back (or leaves the queue) by releasing.
 */
final class SlotWait {

  /** How long the scheduler may take to take a slot back. */
  private static final long RELEASE_TIMEOUT_MS = 10_000;

  private SlotWait() {
  }

  /**
   * @return completes when the execution has its slot; fails with {@code capacity_exhausted} when
   *   none became free in time, or with the scheduler's failure (e.g. the execution left the queue)
   */
  static Future<Void> acquire(ExecutorContext ec, String executionId) {
    long maxWait = ec.options().getExecutor().getMaxQueueWaitMs();
    return ec.vertx().eventBus()
      .request(ec.addresses().schedulerAcquire(), executionId, new DeliveryOptions().setSendTimeout(maxWait))
      .transform(ar -> {
        if (ar.succeeded()) {
          return Future.succeededFuture();
        }
        if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
          return Future.failedFuture(new GatewayException(ErrorCode.CAPACITY_EXHAUSTED,
            "no run slot became free within " + maxWait + " ms"));
        }
        return Future.failedFuture(ar.cause());
      });
  }

  /**
   * Leaves the queue at once: the scheduler fails the pending {@link #acquire}.
   */
  static void leave(ExecutorContext ec, String executionId) {
    ec.vertx().eventBus().request(ec.addresses().schedulerRelease(), executionId);
  }

  /**
   * Gives the slot back, or leaves the queue; the scheduler ignores an execution it does not know.
   *
   * @return when the scheduler answered, or gave no answer in time
   */
  static Future<Void> release(ExecutorContext ec, String executionId) {
    return ec.vertx().eventBus()
      .request(ec.addresses().schedulerRelease(), executionId, new DeliveryOptions().setSendTimeout(RELEASE_TIMEOUT_MS))
      .transform(ar -> Future.succeededFuture());
  }
}
