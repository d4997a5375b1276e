package io.execgate.bus;

import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The scheduler's protocol, typed: each operation's address, what it carries each way and how long
 * its answer may take, in one place. Senders use this rather than addresses and casts.
 */
public final class SchedulerChannel {

  /** How long admission may take: the scheduler answers once an executor registered the execution. */
  public static final long ADMIT_TIMEOUT_MS = 30_000;
  /** How long the scheduler may take to tell a queued execution's place. */
  public static final long POSITION_TIMEOUT_MS = 2_000;
  /** How long the scheduler may take to take an execution back. */
  public static final long RELEASE_TIMEOUT_MS = 10_000;
  /** How long the scheduler may take to tell whether a key is heavy. */
  public static final long HEAVY_TIMEOUT_MS = 2_000;
  /** How long the scheduler may take to open admission once the engine answers. */
  public static final long ENGINE_READY_TIMEOUT_MS = 30_000;

  private final EventBus bus;
  private final Addresses addresses;

  public SchedulerChannel(EventBus bus, Addresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  /**
   * Hands {@code job} to the scheduler.
   *
   * @param owner the owner's headers ({@link Headers#OWNER}, {@link Headers#OWNER_MAX},
   *              {@link Headers#OWNER_WEIGHT}); its send timeout is set here
   * @return its admission, or the scheduler's refusal
   */
  public Future<Admission> admit(ExecutionJob job, DeliveryOptions owner) {
    return bus.<Admission>request(addresses.schedulerAdmit(), job, owner.setSendTimeout(ADMIT_TIMEOUT_MS))
      .map(Message::body);
  }

  /**
   * Holds {@code count} queue places for a batch, all or none, on a gateway that runs alone. Each admit
   * that carries the reservation's id in {@link Headers#RESERVATION} takes one of them; places left
   * unused come back after a minute.
   *
   * @param owner the owner's headers, as for {@link #admit}
   * @return the reservation's id, or the scheduler's refusal (capacity_exhausted, quota_exceeded); in a
   *   cluster there is no such operation (the request fails with no handlers)
   */
  public Future<String> reserve(int count, DeliveryOptions owner) {
    return bus.<String>request(addresses.schedulerReserve(), new JsonObject().put("count", count),
      owner.setSendTimeout(ADMIT_TIMEOUT_MS)).map(Message::body);
  }

  /**
   * Asks for a run slot for an admitted execution.
   *
   * @param maxWaitMs how long the execution waits for its slot
   * @return the grant: answering it gives the slot back
   */
  public Future<Message<Object>> acquire(String executionId, long maxWaitMs) {
    return bus.request(addresses.schedulerAcquire(), executionId, new DeliveryOptions().setSendTimeout(maxWaitMs));
  }

  /**
   * Takes an execution back: it leaves the queue, or the scheduler forgets its admission. Unknown ids
   * are ignored.
   *
   * @return when the scheduler answered
   */
  public Future<Void> release(String executionId) {
    return bus.request(addresses.schedulerRelease(), executionId,
      new DeliveryOptions().setSendTimeout(RELEASE_TIMEOUT_MS)).mapEmpty();
  }

  /**
   * @return the executions ahead of {@code executionId} in the queue: 0 when it holds a slot or gets the
   *   next one, -1 when the scheduler does not know it
   */
  public Future<Integer> position(String executionId) {
    return bus.<Integer>request(addresses.schedulerPosition(), executionId,
      new DeliveryOptions().setSendTimeout(POSITION_TIMEOUT_MS)).map(Message::body);
  }

  /**
   * @return whether the key of {@code executionId} holds more than half of the node's run slots
   */
  public Future<Boolean> heavy(String executionId) {
    return bus.<Boolean>request(addresses.schedulerHeavy(), executionId,
      new DeliveryOptions().setSendTimeout(HEAVY_TIMEOUT_MS)).map(m -> Boolean.TRUE.equals(m.body()));
  }

  /**
   * Tells the scheduler that the engine answers (and orphans were removed): it may admit work.
   *
   * @return when the scheduler took it
   */
  public Future<Void> engineReady() {
    return bus.request(addresses.schedulerEngineReady(), true,
      new DeliveryOptions().setSendTimeout(ENGINE_READY_TIMEOUT_MS)).mapEmpty();
  }

  /**
   * A clustered scheduler's announcement, on this node only, that {@code executionId} got a run slot.
   */
  public void started(String executionId) {
    bus.publish(addresses.schedulerStarted(), executionId, new DeliveryOptions().setLocalOnly(true));
  }

  /**
   * A clustered scheduler's announcement, on this node only, that {@code executionId} gave its place back.
   */
  public void released(String executionId) {
    bus.publish(addresses.schedulerReleased(), executionId, new DeliveryOptions().setLocalOnly(true));
  }
}
