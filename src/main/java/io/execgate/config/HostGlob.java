package io.execgate.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One glob of {@code host[:port]} that a webhook may be delivered to. The host is matched without
 * regard to case: {@code *} matches any characters but {@code .} (one label, or part of one),
 * {@code **} any characters, {@code ?} one character but {@code .}; an IPv6 address is written in
 * brackets. The port is a number or {@code *}; without it, the glob matches only the URL scheme's
 * default port (80, 443). A glob whose host has no wildcard names that host explicitly: only such a
 * glob lets a callback reach a loopback, link-local or private address.
 */
public final class HostGlob {

  private static final Pattern HOST_CHARS = Pattern.compile("[A-Za-z0-9.*?_-]+|\\[[0-9A-Fa-f:.]+]");

  private final String text;
  private final String host;
  private final Pattern pattern;
  private final int port;
  private final boolean explicit;

  private HostGlob(String text, String host, Pattern pattern, int port, boolean explicit) {
    this.text = text;
    this.host = host;
    this.pattern = pattern;
    this.port = port;
    this.explicit = explicit;
  }

  /**
   * @param glob a glob as the configuration writes it
   * @return the parsed glob
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static HostGlob parse(String glob) {
    String text = glob == null ? "" : glob.trim();
    if (text.isEmpty() || text.length() > 300) {
      throw new IllegalArgumentException("a host glob must have 1 to 300 characters");
    }
    String host = text;
    int port = 0;
    int colon = text.lastIndexOf(':');
    if (colon > text.lastIndexOf(']')) {
      host = text.substring(0, colon);
      String p = text.substring(colon + 1);
      if (p.equals("*")) {
        port = -1;
      } else {
        try {
          port = Integer.parseInt(p);
        } catch (NumberFormatException e) {
          port = 0;
        }
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("'" + text + "': the port must be 1 to 65535 or *");
        }
      }
    }
    if (!HOST_CHARS.matcher(host).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not host[:port] (a name, an IPv4 address or an IPv6"
        + " address in brackets, with the wildcards * ** ?)");
    }
    host = host.toLowerCase(Locale.ROOT);
    boolean explicit = host.indexOf('*') < 0 && host.indexOf('?') < 0;
    return new HostGlob(text, host, Glob.compile(host, "[^.]*", ".*", "[^.]"), port, explicit);
  }

  /**
   * @param host        the URL's host, as the URL writes it (an IPv6 address in brackets)
   * @param port        the URL's port
   * @param defaultPort the default port of the URL's scheme
   * @return whether the glob admits that host and port
   */
  public boolean matches(String host, int port, int defaultPort) {
    boolean portOk = this.port == -1 || (this.port == 0 ? port == defaultPort : port == this.port);
    return portOk && pattern.matcher(host.toLowerCase(Locale.ROOT)).matches();
  }

  /**
   * @return whether the glob names its host without wildcards (then it may be a loopback or private address)
   */
  public boolean explicit() {
    return explicit;
  }

  /**
   * @return the host part, lower case
   */
  public String host() {
    return host;
  }

  @Override
  public String toString() {
    return text;
  }
}
