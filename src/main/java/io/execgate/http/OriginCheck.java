package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.util.List;
import java.util.Locale;

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
    if (origin == null || allowed.contains(origin) || allowed.contains("*")
      || sameOrigin(origin, ctx.request().authority())) {
      ctx.next();
      return;
    }
    ctx.fail(new GatewayException(ErrorCode.FORBIDDEN, "WebSocket connections from origin " + origin
      + " are not allowed; the operator can add it to auth.corsOrigins"));
  }

  /**
   * Whether a browser's {@code Origin} is the gateway's own page, as reached by the request: the same
   * host and the same port. A {@code Host} without port stands for the default port of the scheme the
   * client used (a TLS proxy may terminate in front), so only an origin without explicit port
   * matches it; another port on the same host is another origin. Without keys, {@link HostCheck} has
   * already refused a {@code Host} that could belong to a rebinding page.
   */
  static boolean sameOrigin(String origin, HostAndPort authority) {
    if (authority == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin);
      if (uri.getHost() == null || uri.getScheme() == null) {
        return false;
      }
      if (!bare(uri.getHost()).equals(bare(authority.host()))) {
        return false;
      }
      if (authority.port() < 0) {
        return uri.getPort() < 0;
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
        case "http", "ws" -> 80;
        case "https", "wss" -> 443;
        default -> -1;
      };
      return port == authority.port();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String bare(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }
}
