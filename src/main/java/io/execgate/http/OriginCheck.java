package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.util.List;

/**
 * WebSocket upgrades from browsers: the gateway's own page (same origin) and the configured origins
 * may open them, no other web page may (a page elsewhere could otherwise drive the API with the
 * user's token). Clients that send no {@code Origin} (not browsers) are not concerned.
 */
final class OriginCheck implements Handler<RoutingContext> {

  private final List<String> allowed;

  OriginCheck(List<String> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("origin");
    if (origin == null || allowed.contains(origin) || allowed.contains("*") || sameOrigin(origin,
      ctx.request().getHeader("host"))) {
      ctx.next();
      return;
    }
    ctx.fail(new GatewayException(ErrorCode.FORBIDDEN, "WebSocket connections from origin " + origin
      + " are not allowed; the operator can add it to auth.corsOrigins"));
  }

  static boolean sameOrigin(String origin, String host) {
    try {
      URI uri = URI.create(origin);
      String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      return host != null && (host.equalsIgnoreCase(authority) || host.equalsIgnoreCase(uri.getHost()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
