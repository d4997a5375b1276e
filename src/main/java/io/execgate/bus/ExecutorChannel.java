package io.execgate.bus;

import io.execgate.model.ExecutionJob;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * The executors' protocol, typed: how the scheduler hands them an admitted job, and what they
 * announce; each operation's address, body types and send timeout in one place. Senders use this
 * rather than addresses and casts.
 */
public final class ExecutorChannel {

  /** How long an executor may take to register an execution (its control and replay addresses). */
  public static final long RUN_TIMEOUT_MS = 30_000;

  private final EventBus bus;
  private final Addresses addresses;

  public ExecutorChannel(EventBus bus, Addresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  /**
   * Hands an admitted {@code job} to an executor instance.
   *
   * @return the executor's answer, once the execution is addressable: a body of {@code null}, or
   *   {@code true} when the run's image is confirmed, and then the answer is itself the request for the
   *   run's slot (grant it by replying to it)
   */
  public Future<Message<Object>> run(ExecutionJob job) {
    return bus.request(addresses.executorRun(), job, new DeliveryOptions().setSendTimeout(RUN_TIMEOUT_MS));
  }

  /**
   * Tells this node's sessions that an execution of session {@code sessionId} ended and its sandbox
   * was cleaned up (one-way).
   */
  public void sessionReleased(String sessionId, String executionId) {
    bus.send(addresses.sessionReleased(), sessionId, new DeliveryOptions().addHeader(Headers.EXECUTION, executionId));
  }
}
