package io.execgate.webhook;

import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.config.HostGlob;
import io.execgate.config.WebhookOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a callback may go (the guard against server-side request forgery): an http or https URL of
 * bounded length, without credentials, whose {@code host[:port]} matches a glob of
 * {@code webhooks.allow}. Loopback, link-local, private, unspecified and multicast addresses are
 * refused unless a glob names the host explicitly (without wildcards). A name is checked again at
 * every delivery, against every address it resolves to, and the delivery connects to the address
 * that was checked, so that a name re-pointed after the submit (DNS rebinding) reaches nothing new.
 */
public final class CallbackPolicy {

  /** The request field every refusal names. */
  public static final String FIELD = "callbackUrl";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final List<HostGlob> allow;
  private final int maxUrlLength;
  private final String defaultSecret;
  private final Map<String, String> secrets = new HashMap<>();

  public CallbackPolicy(GatewayOptions options) {
    WebhookOptions webhooks = options.getWebhooks();
    this.allow = webhooks.getAllow().stream().map(HostGlob::parse).toList();
    this.maxUrlLength = webhooks.getMaxUrlLength();
    this.defaultSecret = webhooks.getSecret();
    for (ApiKey key : options.getAuth().getKeys()) {
      if (key.webhookSecret() != null) {
        secrets.put(key.id(), key.webhookSecret());
      }
    }
  }

  /**
   * A callback target, as checked at submit.
   *
   * @param uri      the URL
   * @param host     the host as the URL writes it, lower case, without IPv6 brackets
   * @param port     the port (the scheme's default when the URL gives none)
   * @param https    whether the scheme is https
   * @param explicit whether a glob that admits it names the host without wildcards
   */
  public record Target(URI uri, String host, int port, boolean https, boolean explicit) {

    /**
     * @return the path and query to request
     */
    public String requestUri() {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
  }

  /**
   * @return the secret that signs deliveries of the key {@code owner}, or {@code null} when none is configured
   */
  public String secretFor(String owner) {
    String own = owner == null ? null : secrets.get(owner);
    return own != null ? own : defaultSecret;
  }

  /**
   * Checks a callback URL at submit, for the key {@code owner}.
   *
   * @param field the request field it came in, for the error
   * @return the target
   * @throws GatewayException 400 for a malformed URL, 403 {@code callback_not_allowed} for one the
   *                          policy refuses
   */
  public Target check(String url, String owner, String field) {
    Target target = parse(url, field);
    if (secretFor(owner) == null) {
      throw notAllowed(field, "no webhook secret is configured to sign deliveries (webhooks.secret, or the key's"
        + " webhookSecret)");
    }
    // an address literal is checked now; a name at each delivery, when it is resolved
    InetAddress literal = literal(target.host());
    if (literal != null && !target.explicit()) {
      String why = forbidden(literal);
      if (why != null) {
        throw notAllowed(field, field + " names a " + why + " address, which webhooks.allow must name explicitly");
      }
    }
    return target;
  }

  /**
   * Parses a URL and matches it against the allow-list.
   */
  Target parse(String url, String field) {
    if (url.length() > maxUrlLength) {
      throw GatewayException.invalid(field, field + " is longer than " + maxUrlLength + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw GatewayException.invalid(field, field + " is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw GatewayException.invalid(field, field + " must be an http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw GatewayException.invalid(field, field + " must not carry credentials");
    }
    if (uri.getHost() == null || uri.getRawFragment() != null) {
      throw GatewayException.invalid(field, field + " must name a host, and no fragment");
    }
    boolean https = scheme.equals("https");
    int defaultPort = https ? 443 : 80;
    int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
    String written = uri.getHost().toLowerCase(Locale.ROOT);
    boolean matched = false;
    boolean explicit = false;
    for (HostGlob glob : allow) {
      if (glob.matches(written, port, defaultPort)) {
        matched = true;
        explicit |= glob.explicit();
      }
    }
    if (!matched) {
      throw notAllowed(field, field + " goes to " + written + ":" + port + ", which webhooks.allow does not admit");
    }
    String host = written.startsWith("[") ? written.substring(1, written.length() - 1) : written;
    return new Target(uri, host, port, https, explicit);
  }

  /**
   * Checks, at delivery, every address a target's host resolved to.
   *
   * @return why the delivery may not go there, or {@code null} when it may
   */
  public static String refusal(Target target, List<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      return "the host " + target.host() + " has no address";
    }
    if (target.explicit()) {
      return null;
    }
    for (InetAddress a : addresses) {
      String why = forbidden(a);
      if (why != null) {
        return "the host " + target.host() + " resolves to " + a.getHostAddress() + ", a " + why
          + " address, which webhooks.allow must name explicitly";
      }
    }
    return null;
  }

  /**
   * @return the class of an address a callback may not reach unless named explicitly (loopback,
   *   link-local, private, ...), or {@code null} for a public address
   */
  public static String forbidden(InetAddress a) {
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible addresses: the IPv4 address decides
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0 && !a.isLoopbackAddress()
        && !a.isAnyLocalAddress()))) {
        try {
          return forbidden(InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]}));
        } catch (java.net.UnknownHostException e) {
          return "malformed";
        }
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return "private (unique local)";
      }
      if (b[0] == 0x20 && b[1] == 0x02) {
        // 6to4: the embedded IPv4 address decides
        try {
          return forbidden(InetAddress.getByAddress(new byte[]{b[2], b[3], b[4], b[5]}));
        } catch (java.net.UnknownHostException e) {
          return "malformed";
        }
      }
    }
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (a.isLinkLocalAddress()) {
      return "link-local";
    }
    if (a.isSiteLocalAddress()) {
      return "private";
    }
    if (a.isMulticastAddress()) {
      return "multicast";
    }
    if (a instanceof Inet4Address) {
      byte[] b = a.getAddress();
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) {
        return "unspecified";
      }
      if (first == 100 && second >= 64 && second < 128) {
        return "private (shared address space)";
      }
      if (first == 198 && (second == 18 || second == 19)) {
        return "private (benchmarking)";
      }
      if (first >= 240) {
        return "reserved";
      }
    }
    return null;
  }

  /**
   * @return the address a host written as a literal (IPv4, or IPv6 without brackets) stands for, or
   *   {@code null} for a name (never resolved here)
   */
  static InetAddress literal(String host) {
    if (!IPV4.matcher(host).matches() && host.indexOf(':') < 0) {
      return null;
    }
    try {
      // a literal is parsed, not looked up
      return InetAddress.getByName(host);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static GatewayException notAllowed(String field, String message) {
    return new GatewayException(ErrorCode.CALLBACK_NOT_ALLOWED, message, field);
  }
}
