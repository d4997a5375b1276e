package io.execgate;

import io.execgate.impl.DefaultExecutionGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * An execution gateway deployed in a {@link Vertx}: the HTTP API, the scheduler, the executors
 * and the image cache, talking over the event bus.
 * <p>
 * Deploying checks that the Docker engine answers and removes containers that a previous run of
 * the same {@link GatewayOptions#getInstanceId() instance} left behind. Closing stops intake,
 * cancels running executions and removes their containers.
 */
public interface ExecutionGateway {

  /**
   * Deploys a gateway.
   *
   * @param vertx   the Vertx to deploy in
   * @param options the gateway's options; a copy is kept
   * @return a future completed with the running gateway, or failed with a message that says what is
   *   wrong (invalid options, Docker engine unreachable)
   */
  static Future<ExecutionGateway> deploy(Vertx vertx, GatewayOptions options) {
    return DefaultExecutionGateway.deploy(vertx, options);
  }

  /**
   * @return the options the gateway runs with
   */
  GatewayOptions options();

  /**
   * @return the port the HTTP API listens on
   */
  int actualPort();

  /**
   * Stops the gateway: no new executions, running ones cancelled and their containers removed.
   *
   * @return a future completed when everything is stopped
   */
  Future<Void> close();
}
