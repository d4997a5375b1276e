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
   * host and the same port. An origin without explicit port has its scheme's default port (80 for
   * http, 443 for https). A {@code Host} without port stands for the default port of the scheme the
   * client used, which the origin names (a TLS proxy may terminate in front, so the gateway's own
   * scheme says nothing): {@code http://h} and {@code http://h:80} match {@code Host: h}, and so do
   * {@code https://h} and {@code https://h:443}, but {@code http://h:3000} or {@code http://h:443}
   * do not: another port on the same host is another origin. Without keys, {@link HostCheck} has
   * already refused a {@code Host} that could belong to a rebinding page.
   */
  static boolean sameOrigin(String origin, HostAndPort authority) {
    if (authority == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin);
      if (uri.getHost() == null || uri.getScheme() == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
        return false;
      }
      if (!bare(uri.getHost()).equals(bare(authority.host()))) {
        return false;
      }
      int defaultPort = defaultPort(uri.getScheme());
      if (defaultPort < 0) {
        return false;
      }
      int originPort = uri.getPort() >= 0 ? uri.getPort() : defaultPort;
      int hostPort = authority.port() >= 0 ? authority.port() : defaultPort;
      return originPort == hostPort;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static int defaultPort(String scheme) {
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "http", "ws" -> 80;
      case "https", "wss" -> 443;
      default -> -1;
    };
  }

  private static String bare(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }
}
