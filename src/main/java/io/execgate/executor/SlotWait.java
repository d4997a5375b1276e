package io.execgate.executor;

import io.execgate.bus.SchedulerChannel;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * How one execution holds a run slot of the scheduler, in one exchange: it asks for a slot (in its
 * answer to {@code executor.run} when its image is known at once, else on {@code scheduler.acquire}),
 * the scheduler grants it by a reply that itself waits for an answer, and the execution gives the slot
 * back by answering that grant. The scheduler holds the slot exactly as long as its grant waits.
 * Leaving the queue, and an execution that never got a slot, still tell {@code scheduler.release}.
 * Lives on its execution's context.
 */
final class SlotWait {

  private final ExecutorContext ec;
  private final String executionId;
  /** The request for a slot, once made. */
  private Future<Message<Object>> asked;
  /** The scheduler's grant, answered to give the slot back. */
  private Message<Object> grant;
  private boolean released;

  SlotWait(ExecutorContext ec, String executionId) {
    this.ec = ec;
    this.executionId = executionId;
  }

  /**
   * @return how long the execution waits for its slot ({@code executor.maxQueueWaitMs})
   */
  static DeliveryOptions delivery(ExecutorContext ec) {
    return new DeliveryOptions().setSendTimeout(ec.options().getExecutor().getMaxQueueWaitMs());
  }

  private SchedulerChannel scheduler() {
    return new SchedulerChannel(ec.vertx().eventBus(), ec.addresses());
  }

  /**
   * The slot was asked for in the execution's answer to {@code executor.run}.
   *
   * @param grant the scheduler's grant, the answer to that answer
   */
  void asked(Future<Message<Object>> grant) {
    this.asked = grant;
    grant.onSuccess(this::granted);
  }

  /**
   * @return completes when the execution has its slot; fails with {@code capacity_exhausted} when
   *   none became free in time, or with the scheduler's failure (e.g. the execution left the queue)
   */
  Future<Void> acquire() {
    if (asked == null) {
      asked(scheduler().acquire(executionId, ec.options().getExecutor().getMaxQueueWaitMs()));
    }
    long maxWait = ec.options().getExecutor().getMaxQueueWaitMs();
    return asked.transform(ar -> {
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

  private void granted(Message<Object> message) {
    if (released) {
      // the run ended (cancelled) before its grant arrived: the slot goes back at once
      message.reply(null);
    } else {
      grant = message;
    }
  }

  /**
   * Leaves the queue at once: the scheduler fails the pending request for a slot.
   */
  void leave() {
    scheduler().release(executionId);
  }

  /**
   * Gives the slot back by answering its grant; an execution without one (it never asked, or is still
   * queued) leaves the scheduler, which forgets its admission.
   *
   * @return when the scheduler was told (or gave no answer in time)
   */
  Future<Void> release() {
    released = true;
    if (grant != null) {
      grant.reply(null);
      grant = null;
      return Future.succeededFuture();
    }
    return scheduler().release(executionId).otherwiseEmpty();
  }
}
