package io.execgate.bus;

import io.execgate.model.Control;
import io.execgate.model.ExecutionResult;
import io.execgate.model.FramePage;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * One live execution's protocol, typed: what clients send to its run on {@link Addresses#control}
 * (cancel, state, stdin, signals, output pause and resume) and how watchers page its retained frames on
 * {@link Addresses#replay}; each operation's body types and send timeout in one place. Senders use this
 * rather than addresses and casts.
 */
public final class ExecutionChannel {

  /** How long a cancel may take: the run answers with its final result once its container is killed. */
  public static final long CANCEL_TIMEOUT_MS = 30_000;
  /** How long a run may take to tell its record as it stands. */
  public static final long STATE_TIMEOUT_MS = 2_000;
  /** How long a run may take to take a client's control (stdin, signal, pause, resume). */
  public static final long CONTROL_TIMEOUT_MS = 30_000;
  /** How long a frame log may take to answer a page of retained frames. */
  public static final long REPLAY_TIMEOUT_MS = 10_000;

  private final EventBus bus;
  private final Addresses addresses;

  public ExecutionChannel(EventBus bus, Addresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  /**
   * Cancels execution {@code id}: its container is killed.
   *
   * @return its final result; fails with no handlers when no run has it (it ended, or is unknown)
   */
  public Future<ExecutionResult> cancel(String id) {
    return bus.<ExecutionResult>request(addresses.control(id), Control.cancel(),
      new DeliveryOptions().setSendTimeout(CANCEL_TIMEOUT_MS)).map(Message::body);
  }

  /**
   * Cancels execution {@code id} without waiting for an answer (its owner left).
   */
  public void cancelAndForget(String id) {
    bus.send(addresses.control(id), Control.cancel());
  }

  /**
   * @return the record of execution {@code id} as its run holds it (it may be further than the stored
   *   one); fails when no run has it
   */
  public Future<ExecutionResult> state(String id) {
    return bus.<ExecutionResult>request(addresses.control(id), Control.state(),
      new DeliveryOptions().setSendTimeout(STATE_TIMEOUT_MS)).map(Message::body);
  }

  /**
   * Hands {@code control} to the run of execution {@code id}.
   *
   * @return when the run took it, or its refusal
   */
  public Future<Void> control(String id, Control control) {
    return bus.request(addresses.control(id), control, new DeliveryOptions().setSendTimeout(CONTROL_TIMEOUT_MS))
      .mapEmpty();
  }

  /**
   * Hands {@code control} to the run of execution {@code id} without waiting for an answer.
   */
  public void tell(String id, Control control) {
    bus.send(addresses.control(id), control);
  }

  /**
   * @return the retained frames of execution {@code id} from {@code fromSeq}; fails with no handlers
   *   (or a timeout) once no frame log has them
   */
  public Future<FramePage> replay(String id, long fromSeq) {
    return bus.<FramePage>request(addresses.replay(id), fromSeq, new DeliveryOptions().setSendTimeout(REPLAY_TIMEOUT_MS))
      .map(Message::body);
  }
}
