package io.execgate;

import io.execgate.impl.DefaultExecutionGateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import java.util.Objects;

/**
 * An execution gateway deployed in a {@link Vertx}: the HTTP API, the scheduler, the executors
 * and the image cache, talking over the event bus.
 * <p>
 * Deploying checks that the Docker engine answers and removes containers that a previous run of
 * the same {@link GatewayOptions#getInstanceId() instance} left behind. Closing stops intake,
 * cancels running executions and removes their containers.
 * <p>
 * An application embeds a gateway in its own {@code Vertx}: it runs executions in-process with
 * {@link #client()}, and serves the HTTP API from its own server by mounting {@link #router()}
 * under a prefix of its choice (then {@link io.execgate.config.HttpOptions#setEnabled(boolean)
 * http.enabled} may be false, so that the gateway opens no port of its own):
 * <pre>{@code
 * ExecutionGateway.deploy(vertx, options).onSuccess(gateway -> {
 *   Router app = Router.router(vertx);
 *   app.route("/exec/*").subRouter(gateway.router());
 *   gateway.client().execute(ExecutionRequest.script("echo hi"))
 *     .onSuccess(result -> System.out.println(result.stdout()));
 * });
 * }</pre>
 * Two gateways may share one {@code Vertx} when their {@link GatewayOptions#getAddressPrefix()
 * address prefixes} and {@link GatewayOptions#getInstanceId() instance ids} differ.
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
   * Deploys a gateway whose meters ({@code execgate_executions}, {@code execgate_execution_duration},
   * queue depth, rejections, warm pools…) are registered in the application's {@code meterRegistry}
   * too, with the same names, tags and histogram buckets as on {@code /metrics}, so that they reach
   * the application's monitoring backend. {@code /metrics} and {@code /v1/stats} keep reading the
   * gateway's own registry (a filter of the application's never changes them). Closing the gateway
   * removes its meters from {@code meterRegistry}. Give each gateway a registry of its own: two
   * gateways in one registry would share their meters (same names and tags), and closing one would
   * remove the other's.
   *
   * @param vertx         the Vertx to deploy in
   * @param options       the gateway's options; a copy is kept
   * @param meterRegistry the application's registry, e.g. a {@code PrometheusMeterRegistry} or an OTLP one
   * @return as {@link #deploy(Vertx, GatewayOptions)}
   */
  static Future<ExecutionGateway> deploy(Vertx vertx, GatewayOptions options, MeterRegistry meterRegistry) {
    return DefaultExecutionGateway.deploy(vertx, options, Objects.requireNonNull(meterRegistry, "meterRegistry"));
  }

  /**
   * @return the options the gateway runs with
   */
  GatewayOptions options();

  /**
   * @return the port the gateway's own HTTP server listens on, or {@code -1} when it runs none
   *   ({@code http.enabled} false)
   */
  int actualPort();

  /**
   * Creates a router with the whole HTTP API (the same routes, handlers, authentication and error
   * shape as the gateway's own server), for an application to mount in its own router, e.g.
   * {@code appRouter.route("/exec/*").subRouter(gateway.router())}. Every path it serves, the web
   * page's included, is relative to where it is mounted.
   *
   * @return a new router; each call creates one
   */
  Router router();

  /**
   * @return a client of this gateway over the event bus, without HTTP
   */
  ExecutionClient client();

  /**
   * Stops the gateway: no new executions, running ones cancelled and their containers removed.
   *
   * @return a future completed when everything is stopped
   */
  Future<Void> close();
}
