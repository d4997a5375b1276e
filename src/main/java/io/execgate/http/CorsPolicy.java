package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * CORS for the configured web origins. Requests without an {@code Origin}, or from the gateway's own
 * page, pass untouched; an allowed origin gets the CORS headers (and its preflight a 204); another
 * origin's preflight is a 403, its simple requests get no CORS headers, so the browser keeps the
 * answer from the page.
 */
final class CorsPolicy implements Handler<RoutingContext> {

  private static final String METHODS = "GET, POST, DELETE";
  private static final String HEADERS = "authorization, content-type, accept, idempotency-key, last-event-id, x-auth-token";
  private static final String EXPOSED = "location, retry-after, idempotent-replay";

  private final List<String> origins;

  CorsPolicy(List<String> origins) {
    this.origins = List.copyOf(origins);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("origin");
    if (origin == null || OriginCheck.sameOrigin(origin, ctx.request().authority())) {
      ctx.next();
      return;
    }
    boolean allowed = origins.contains(origin) || origins.contains("*");
    boolean preflight = ctx.request().method() == HttpMethod.OPTIONS
      && ctx.request().getHeader("access-control-request-method") != null;
    if (!allowed) {
      if (preflight) {
        ctx.fail(new GatewayException(ErrorCode.FORBIDDEN, "origin " + origin
          + " may not call this API; the operator can add it to auth.corsOrigins"));
      } else {
        ctx.next();
      }
      return;
    }
    HttpServerResponse response = ctx.response()
      .putHeader("access-control-allow-origin", origin)
      .putHeader("vary", "Origin")
      .putHeader("access-control-expose-headers", EXPOSED);
    if (preflight) {
      response.putHeader("access-control-allow-methods", METHODS)
        .putHeader("access-control-allow-headers", HEADERS)
        .putHeader("access-control-max-age", "600")
        .setStatusCode(204)
        .end();
      return;
    }
    ctx.next();
  }
}
