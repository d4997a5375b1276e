package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Without API keys, a web page on a DNS-rebinding name (a name of the attacker's that resolves to
 * 127.0.0.1 once the page is loaded) is same-origin with the gateway in the browser's eyes and could
 * drive it. Such a request names the attacker's host in {@code Host}: only {@code localhost}, IP
 * addresses (a page whose origin is an address is served by that address) and the configured
 * {@code http.allowedHosts} are answered; any other name gets 421. With keys the page would need
 * one, so any {@code Host} is served.
 */
final class HostCheck implements Handler<RoutingContext> {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final List<String> allowed;

  HostCheck(List<String> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HostAndPort authority = ctx.request().authority();
    // no Host at all: HTTP/1.0, not a browser
    if (authority == null || allowed(authority.host(), allowed)) {
      ctx.next();
      return;
    }
    ctx.fail(new GatewayException(ErrorCode.MISDIRECTED_REQUEST, "without API keys this gateway answers requests for"
      + " localhost, an IP address or a name in http.allowedHosts only, not '" + authority.host() + "'"));
  }

  /**
   * @return whether a request naming {@code host} (without port) may be answered by an open gateway
   */
  static boolean allowed(String host, List<String> names) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.equals("localhost") || h.startsWith("[") || h.indexOf(':') >= 0 || IPV4.matcher(h).matches()
      || names.contains(h);
  }
}
