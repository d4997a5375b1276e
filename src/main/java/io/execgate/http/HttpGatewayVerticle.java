package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.AuthOptions;
import io.execgate.bus.Addresses;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;


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
        Router router = router(vertx, options, store);
        // a browser sends a WebSocket message as one frame: the run message may be as large as a submit body;
        // the socket refuses larger ones itself with close code 4009
        int wsMax = (int) Math.min(Integer.MAX_VALUE / 2, options.getHttp().getMaxRequestBytes() * 2);
        HttpServerOptions serverOptions = new HttpServerOptions()
          .setHost(bindHost(options))
          .setPort(options.getHttp().getPort())
          .setCompressionSupported(true)
          .setMaxWebSocketFrameSize(wsMax)
          .setMaxWebSocketMessageSize(wsMax);
        return vertx.createHttpServer(serverOptions).requestHandler(router).listen();
      })
      .onSuccess(s -> server = s);
  }

  /**
   * @return where to listen: without API keys only loopback, unless the operator allows an open API
   */
  public static String bindHost(GatewayOptions options) {
    String host = options.getHttp().getHost();
    boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    return options.getAuth().isEnabled() || options.getAuth().isAllowOpen() || loopback ? host : "127.0.0.1";
  }

  /**
   * Builds the whole HTTP API: the gateway's own server serves it, and an embedding application
   * mounts it under a prefix of its own ({@code ExecutionGateway#router()}). Every path is relative to
   * where it is mounted.
   */
  public static Router router(Vertx vertx, GatewayOptions options, ExecutionStore store) {
    ExecutionApi api = new ExecutionApi(vertx, options, store);
    StreamRoutes streams = new StreamRoutes(vertx, options, store, api);
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.getHttp().getMaxRequestBytes());
    AuthOptions auth = options.getAuth();
    // CORS first: a browser's preflight carries no credentials
    router.route().handler(new CorsPolicy(auth.getCorsOrigins()));
    AuthHandler authHandler = new AuthHandler(vertx, options.getAddressPrefix(), auth);
    router.route().handler(authHandler);
    router.post("/v1/tokens").handler(authHandler::issueToken);
    // browsers send Origin on WebSocket upgrades and no CORS applies to them: only known origins
    OriginCheck origins = new OriginCheck(auth.getCorsOrigins());
    router.get("/v1/ws").handler(origins);
    router.get("/v1/executions/:id/stream").handler(origins);

    GatewayMetrics metrics = GatewayMetrics.of(vertx, options.getAddressPrefix());
    router.get("/metrics").handler(ctx -> ctx.response()
      .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
      .end(metrics.scrape()));
    router.get("/health").handler(ctx -> ExecutionApi.respond(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(api::ready);
    router.get("/v1/stats").handler(ctx -> ExecutionApi.respond(ctx, 200, metrics.stats().toJson()));
    router.get("/openapi.json").handler(new OpenApiDocument(vertx));
    router.get("/v1/runtimes").handler(api::runtimes);
    router.post("/v1/executions").consumes("application/json").handler(body).handler(streams::ndjson)
      .handler(api::submit);
    router.get("/v1/executions/:id").handler(api::get);
    router.delete("/v1/executions/:id").handler(api::cancel);
    ImageApi images = new ImageApi(vertx, options);
    router.get("/v1/images").handler(images::list);
    router.post("/v1/images").consumes("application/json").handler(body).handler(images::prePull);
    router.get("/v1/executions/:id/stream").handler(streams::watch);
    router.get("/v1/executions/:id/events").handler(streams::events);
    router.get("/v1/ws").handler(streams::interactive);
    // the web page: every asset is served from the classpath, none from a CDN
    router.get("/").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.get("/assets/*").handler(StaticHandler.create("webroot/assets").setCachingEnabled(false));

    PistonApi piston = new PistonApi(options, api.waiter(), store);
    router.get("/api/v2/runtimes").handler(piston::runtimes).failureHandler(piston::failure);
    router.post("/api/v2/execute").handler(body).handler(piston::execute).failureHandler(piston::failure);

    router.route().failureHandler(ApiErrors::handle);
    for (int status : new int[]{400, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, ctx -> ApiErrors.handle(ctx, status));
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
