package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The HTTP API, on the event loop. Parses, validates and admits; relays to executors over the
 * event bus; never blocks and never talks to Docker. Several instances share the port.
 */
public final class HttpGatewayVerticle extends VerticleBase {

  private final GatewayOptions options;
  private HttpServer server;

  public HttpGatewayVerticle(GatewayOptions options) {
    this.options = new GatewayOptions(options);
  }

  @Override
  public Future<?> start() {
    Addresses addresses = new Addresses(options.getAddressPrefix());
    return ExecutionStore.open(vertx, addresses.executionsMap(), options.getExecutor().getRecordTtlSeconds() * 1000)
      .compose(store -> {
        Router router = router(new ExecutionApi(vertx, options, store));
        HttpServerOptions serverOptions = new HttpServerOptions()
          .setHost(options.getHttp().getHost())
          .setPort(options.getHttp().getPort())
          .setCompressionSupported(true);
        return vertx.createHttpServer(serverOptions).requestHandler(router).listen();
      })
      .onSuccess(s -> server = s);
  }

  Router router(ExecutionApi api) {
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.getHttp().getMaxRequestBytes());

    router.get("/health").handler(ctx -> ExecutionApi.respond(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(api::ready);
    router.get("/v1/runtimes").handler(api::runtimes);
    router.post("/v1/executions").consumes("application/json").handler(body).handler(api::submit);
    router.get("/v1/executions/:id").handler(api::get);
    router.delete("/v1/executions/:id").handler(api::cancel);

    PistonApi piston = new PistonApi(options, api.waiter());
    router.get("/api/v2/runtimes").handler(piston::runtimes).failureHandler(piston::failure);
    router.post("/api/v2/execute").handler(body).handler(piston::execute).failureHandler(piston::failure);

    router.route().failureHandler(ApiErrors::handle);
    for (int status : new int[]{400, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, ApiErrors::handle);
    }
    return router;
  }

  /**
   * @return the port the server listens on (useful with port 0)
   */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
