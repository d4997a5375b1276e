package io.execgate.bus;

import io.execgate.model.SessionCall;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The sessions' protocol, typed: a {@link SessionCall} to this node's session address (the node's
 * {@code SessionVerticle}, or on a cluster gateway the router that forwards it), or from the router to
 * the worker that holds the session. The answer's type depends on the call's action (a session's JSON, a
 * file's bytes, nothing).
 */
public final class SessionChannel {

  /** How long a session call may take: a create waits for its image and sandbox, a file call for the sandbox. */
  public static final long CALL_TIMEOUT_MS = 90_000;
  /** How long a gateway waits for the worker holding the session: less than its caller, so that it answers first. */
  public static final long WORKER_CALL_TIMEOUT_MS = 75_000;
  /** How long a gateway waits for each worker's list of a key's sessions (a worker that does not answer is left out). */
  public static final long WORKER_LIST_TIMEOUT_MS = 10_000;
  /** How long this node's session verticle may take to tell whether it holds a session for an execution. */
  public static final long HELD_TIMEOUT_MS = 10_000;

  private final EventBus bus;
  private final Addresses addresses;

  public SessionChannel(EventBus bus, Addresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  /**
   * @return the answer of this node's session address, or its failure as the bus gives it
   */
  public Future<Object> call(SessionCall call) {
    return bus.request(addresses.sessionCall(), call, new DeliveryOptions().setSendTimeout(CALL_TIMEOUT_MS))
      .map(Message::body);
  }

  /**
   * @param node the cluster node id of the worker that holds the session
   * @return the worker's answer, or its failure as the bus gives it
   */
  public Future<Object> callWorker(String node, SessionCall call) {
    return bus.request(addresses.workerSession(node), call, new DeliveryOptions()
      .setSendTimeout(WORKER_CALL_TIMEOUT_MS)).map(Message::body);
  }

  /**
   * @param list a {@code LIST} call
   * @return that worker's sessions of the caller ({@code {"sessions": [...]}}), or its failure
   */
  public Future<JsonObject> listOnWorker(String node, SessionCall list) {
    return bus.<JsonObject>request(addresses.workerSession(node), list, new DeliveryOptions()
      .setSendTimeout(WORKER_LIST_TIMEOUT_MS)).map(Message::body);
  }

  /**
   * Asks this node's session verticle whether {@code session} is handed to {@code executionId}, which has
   * not reached the sandbox yet (a cluster worker runs a session's job only then).
   *
   * @return the session's JSON when it is, {@code null} when not
   */
  public Future<JsonObject> held(String session, String executionId) {
    return bus.<JsonObject>request(addresses.sessionHeld(), session, new DeliveryOptions()
      .setSendTimeout(HELD_TIMEOUT_MS).addHeader(Headers.EXECUTION, executionId)).map(Message::body);
  }
}
