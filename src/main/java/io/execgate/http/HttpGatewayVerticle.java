package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.AuthOptions;
import io.execgate.bus.Addresses;
import io.execgate.mcp.McpServer;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.store.BatchStore;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.List;
import java.util.Set;

/**
 * The HTTP API, on the event loop. Parses, validates and admits; relays to executors over the
 * event bus; never blocks and never talks to Docker. Several instances share the port.
 */
public final class HttpGatewayVerticle extends VerticleBase {

  /** Kernel send buffer of each connection. */
  static final int SEND_BUFFER_BYTES = 256 * 1024;
  /** Swagger UI's files in its WebJar: the version is the POM's {@code swagger-ui.version} (OpenApiTest checks they are there). */
  static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.34.1";
  /** CodeMirror's files in its WebJar: the version is the POM's {@code codemirror.version} (OpenApiTest checks they are there). */
  static final String CODEMIRROR = "META-INF/resources/webjars/codemirror/5.62.2";
  /** The files of the WebJar the page loads; its demo pages and the rest are not served. */
  static final Set<String> CODEMIRROR_FILES = Set.of("lib/codemirror.js", "lib/codemirror.css",
    "addon/edit/matchbrackets.js", "mode/shell/shell.js", "mode/python/python.js", "mode/javascript/javascript.js",
    "mode/clike/clike.js", "LICENSE");

  private final GatewayOptions options;
  private HttpServer server;
  private ConnectionGuard guard;

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
          // no WebSocket compression: frames are small JSON, and an inflater runs before the size
          // check (a 1 MiB deflated frame can inflate to 1 GiB); a compressed frame is a protocol error
          .setPerMessageWebSocketCompressionSupported(false)
          .setPerFrameWebSocketCompressionSupported(false)
          // nor compressed request bodies: the same bomb in a body
          .setDecompressionSupported(false)
          // HTTP/1.1 only: with cleartext HTTP/2, a connection is invisible until its first bytes tell the
          // protocol apart, so a silent one would escape the header deadline (TLS proxies speak HTTP/2)
          .setHttp2ClearTextEnabled(false)
          // a client that does not read is stopped by back-pressure after this much in the kernel, not
          // after the megabytes loopback autotuning allows: what is written into its socket meanwhile is
          // event-loop time taken from the other connections
          .setSendBufferSize(SEND_BUFFER_BYTES)
          .setMaxWebSocketFrameSize(wsMax)
          .setMaxWebSocketMessageSize(wsMax)
          // a client that asks for it gets output frames as binary messages; any other subprotocol is not
          // confirmed (the socket speaks JSON)
          .setWebSocketSubProtocols(List.of(BinaryFrames.SUBPROTOCOL));
        guard = new ConnectionGuard(vertx, options.getHttp().getHeaderTimeoutMs(), options.getHttp().getIdleTimeoutMs());
        guard.start();
        return vertx.createHttpServer(serverOptions)
          .connectionHandler(guard::connected)
          .requestHandler(guard.requests(router))
          .listen();
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
    Addresses addresses = new Addresses(options.getAddressPrefix());
    BatchStore batchStore = new BatchStore(vertx, addresses.batchesMap(), addresses.callbacksMap(),
      options.getExecutor().getRecordTtlSeconds() * 1000);
    ExecutionApi api = new ExecutionApi(vertx, options, store, batchStore);
    BatchApi batches = new BatchApi(vertx, options, store, batchStore, api);
    SessionApi sessions = new SessionApi(vertx, options, api);
    StreamRoutes streams = new StreamRoutes(vertx, options, store, api, sessions);
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.getHttp().getMaxRequestBytes());
    AuthOptions auth = options.getAuth();
    router.route().handler(new SecurityHeaders());
    if (!auth.isEnabled()) {
      // an open gateway answers only names a rebinding page cannot have
      router.route().handler(new HostCheck(options.getHttp().getAllowedHosts()));
    }
    // CORS first: a browser's preflight carries no credentials
    router.route().handler(new CorsPolicy(auth.getCorsOrigins()));
    AuthHandler authHandler = new AuthHandler(vertx, options.getAddressPrefix(), auth);
    if (options.getJudge0().isEnabled()) {
      // Judge0's clients send their key as X-Auth-Token
      boolean rootPaths = options.getJudge0().isRootPaths();
      authHandler.acceptAuthToken(path -> Judge0Api.isJudge0(path, rootPaths));
    }
    router.route().handler(authHandler);
    // browsers send Origin on WebSocket upgrades and no CORS applies to them: only known origins
    OriginCheck origins = new OriginCheck(auth.getCorsOrigins());
    router.get("/v1/ws").handler(origins);
    router.get("/v1/executions/:id/stream").handler(origins).handler(StreamRoutes::requireWebSocket);
    // every path that names an execution, whatever the route and method, reaches it only for its owner (or an admin)
    router.route().handler(new OwnedResources().add("/v1/executions/", api.executions()::findRecord)
      .add("/v1/batches/", batches::find));
    router.post("/v1/tokens").handler(body)
      .handler(new TokenApi(auth, authHandler.tokens(), api.executions())::issue);

    GatewayMetrics metrics = GatewayMetrics.of(vertx, options.getAddressPrefix());
    metrics.gauge("execgate_streams_open", "Streams open on this node: watchers, event streams, sockets, NDJSON submits",
      streams, StreamRoutes::openStreams);
    // operational routes: an admin key's (the whole node's counters, every key's activity)
    router.get("/metrics").handler(AuthHandler::requireAdmin).handler(ctx -> ctx.response()
      .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
      .end(metrics.scrape()));
    router.get("/health").handler(ctx -> ExecutionApi.respond(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(api::ready);
    router.get("/v1/stats").handler(AuthHandler::requireAdmin)
      .handler(ctx -> ExecutionApi.respond(ctx, 200, metrics.stats().toJson()));
    router.get("/openapi.json").handler(new OpenApiDocument(vertx));
    router.get("/v1/runtimes").handler(api::runtimes);
    router.post("/v1/executions").consumes("application/json").handler(body).handler(streams::ndjson)
      .handler(api::submit);
    router.get("/v1/executions/:id").handler(api::get);
    router.post("/v1/batches").consumes("application/json").handler(body).handler(batches::submit);
    router.get("/v1/batches/:id").handler(batches::get);
    router.delete("/v1/executions/:id").handler(api::cancel);
    ImageApi images = new ImageApi(vertx, options);
    router.get("/v1/images").handler(images::list);
    // an image name is short: a large body is refused before it is read, never decoded
    router.post("/v1/images").consumes("application/json")
      .handler(BodyHandler.create(false).setBodyLimit(ImageApi.MAX_BODY_BYTES)).handler(images::prePull);
    router.get("/v1/executions/:id/stream").handler(streams::watch);
    router.get("/v1/executions/:id/events").handler(streams::events);
    router.get("/v1/executions/:id/stdout").handler(ctx -> streams.raw(ctx, false));
    router.get("/v1/executions/:id/stderr").handler(ctx -> streams.raw(ctx, true));
    router.get("/v1/ws").handler(streams::interactive);
    mountSessions(options, sessions, router, body);
    // the web page: every asset is served from the classpath, none from a CDN
    router.get("/").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    // the editor (CodeMirror) from its WebJar, only the files the page loads
    router.get("/assets/codemirror/*").handler(ctx -> {
      String file = ctx.pathParam("*");
      if (CODEMIRROR_FILES.contains(file)) {
        ctx.next();
      } else {
        ctx.fail(404);
      }
    }).handler(StaticHandler.create(CODEMIRROR));
    router.get("/assets/*").handler(StaticHandler.create("webroot/assets").setCachingEnabled(false));
    // the API's documentation: Swagger UI from its WebJar, set up by two files of ours, reading /openapi.json
    router.get("/docs").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) {
        // Vert.x matches /docs/ here too: that is the page, served below
        ctx.next();
        return;
      }
      ctx.response().setStatusCode(301).putHeader("location", "docs/").end();
    });
    router.get("/docs/*").handler(StaticHandler.create("webroot/docs").setCachingEnabled(false))
      .handler(StaticHandler.create(SWAGGER_UI));

    if (options.getMcp().isEnabled()) {
      mountMcp(vertx, options, store, router);
    }

    PistonApi piston = new PistonApi(options, api.waiter(), api.decoding(), store);
    piston.mount(router, body);
    // Piston's interactive socket: the same execution, limits and origin check as /v1/ws
    SocketDialect connect = piston.connectDialect();
    for (String base : List.of(PistonApi.PREFIX, PistonApi.PUBLIC_PREFIX)) {
      router.get(base + "/connect").handler(origins).handler(PistonDialect::requireWebSocket)
        .handler(ctx -> streams.interactive(ctx, connect));
    }

    Judge0Api judge0 = options.getJudge0().isEnabled() ? new Judge0Api(vertx, options, api, store) : null;
    if (judge0 != null) {
      judge0.mount(router, body);
      // every failure of a Judge0 request, whatever failed (authentication, body, an unknown path), in Judge0's shape
      router.route().failureHandler(judge0::failureUnderPrefix);
    }
    // every failure under /api/v2, whatever failed (authentication, body, an unknown path), in Piston's shape
    router.route().failureHandler(piston::failureUnderPrefix);
    router.route().failureHandler(ApiErrors::handle);
    for (int status : new int[]{400, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, ctx -> {
        if (judge0 != null && judge0.isJudge0(ctx)) {
          judge0.failure(ctx, status);
        } else if (PistonApi.isPiston(ctx)) {
          piston.failure(ctx, status);
        } else {
          ApiErrors.handle(ctx, status);
        }
      });
    }
    return router;
  }

  /**
   * The session routes: every one answers only the session's owner (another key's session is 404),
   * through the node's session verticle.
   */
  private static void mountSessions(GatewayOptions options, SessionApi sessions, Router router, BodyHandler body) {
    router.post("/v1/sessions").handler(body).handler(sessions::available).handler(sessions::create);
    router.get("/v1/sessions").handler(sessions::available).handler(sessions::list);
    router.get("/v1/sessions/:id").handler(sessions::available).handler(sessions::get);
    router.delete("/v1/sessions/:id").handler(sessions::available).handler(sessions::delete);
    router.post("/v1/sessions/:id/executions").handler(body).handler(sessions::available).handler(sessions::execute);
    router.post("/v1/sessions/:id/restart").handler(sessions::available).handler(sessions::restart);
    router.get("/v1/sessions/:id/files").handler(sessions::available).handler(sessions::listFiles);
    // an upload over the cap is refused (413) before it is read beyond it
    router.put("/v1/sessions/:id/files/*")
      .handler(BodyHandler.create(false).setBodyLimit(options.getSessions().getMaxFileBytes()))
      .handler(sessions::available).handler(sessions::putFile);
    router.get("/v1/sessions/:id/files/*").handler(sessions::available).handler(sessions::getFile);
    router.delete("/v1/sessions/:id/files/*").handler(sessions::available).handler(sessions::deleteFile);
  }

  /**
   * The MCP endpoint: authenticated and rate-limited as every API route, its tool calls parsed by the
   * submit's own parser.
   */
  private static void mountMcp(Vertx vertx, GatewayOptions options, ExecutionStore store, Router router) {
    ExecutionRequestParser parser = new ExecutionRequestParser(options);
    McpServer mcp = McpServer.create(vertx, options, store, submit -> {
      try {
        return Future.succeededFuture(parser.parse(submit, false).job());
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    // a message is refused before it is read beyond the cap
    router.post("/mcp").handler(BodyHandler.create(false).setBodyLimit(options.getMcp().getMaxRequestBytes()));
    Handler<RoutingContext> handler = ctx -> mcp.handle(ctx, AuthHandler.principal(ctx));
    router.post("/mcp").handler(handler);
    router.delete("/mcp").handler(handler);
    // answered 405 by the server: it opens no stream of its own
    router.get("/mcp").handler(handler);
  }

  /**
   * @return the port the server listens on (useful with port 0)
   */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }
}
