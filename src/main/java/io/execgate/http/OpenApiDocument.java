package io.execgate.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /openapi.json}: the API's OpenAPI document, {@code webroot/openapi.json} on the
 * classpath, read once (asynchronously) and served as it is. A static handler would take the path
 * for a directory when the API is mounted under a prefix.
 */
final class OpenApiDocument implements Handler<RoutingContext> {

  static final String RESOURCE = "webroot/openapi.json";

  private final Vertx vertx;
  private volatile Future<Buffer> document;

  OpenApiDocument(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Future<Buffer> doc = document;
    if (doc == null) {
      // two first requests on two event loops may both read it: harmless
      doc = vertx.fileSystem().readFile(RESOURCE);
      document = doc;
    }
    doc.onSuccess(json -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json))
      .onFailure(ctx::fail);
  }
}
