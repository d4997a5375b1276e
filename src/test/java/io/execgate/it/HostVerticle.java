package io.execgate.it;

import io.execgate.ExecutionClient;
import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.model.ExecutionRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A Vert.x application that embeds an execution gateway: its own routes, the gateway's HTTP API
 * mounted under {@code /exec}, and a route of its own that runs code through the in-JVM client.
 * The "Embedding" section of docs/operations.md shows this class.
 */
public class HostVerticle extends VerticleBase {

  private final GatewayOptions options;
  private final int port;
  private ExecutionGateway gateway;
  private HttpServer server;

  public HostVerticle(GatewayOptions options, int port) {
    this.options = options;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    // the application serves the API from its own server: the gateway opens no port of its own
    options.getHttp().setEnabled(false);
    return ExecutionGateway.deploy(vertx, options)
      .compose(gateway -> {
        this.gateway = gateway;
        ExecutionClient client = gateway.client();
        Router router = Router.router(vertx);
        router.get("/hello").handler(ctx -> ctx.end("hello from the host"));
        // the whole execgate HTTP API (and its web page) under /exec: /exec/v1/executions, /exec/health, ...
        router.route("/exec/*").subRouter(gateway.router());
        // the application's own use of the gateway: the request body is a shell script
        router.post("/scripts").handler(BodyHandler.create().setBodyLimit(64 * 1024)).handler(ctx -> client
          .execute(ExecutionRequest.script(ctx.body().asString()))
          .onSuccess(result -> ctx.json(result.toJson()))
          .onFailure(ctx::fail));
        return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
      })
      .onSuccess(server -> this.server = server);
  }

  @Override
  public Future<?> stop() {
    // stops intake, cancels running executions and removes their containers
    return gateway == null ? Future.succeededFuture() : gateway.close();
  }

  public ExecutionGateway gateway() {
    return gateway;
  }

  public int actualPort() {
    return server.actualPort();
  }
}
