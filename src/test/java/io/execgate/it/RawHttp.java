package io.execgate.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests as an attacker writes them: exactly the given head, from a chosen source address, on a
 * connection of their own; and the status of a WebSocket upgrade.
 */
final class RawHttp {

  private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3})");

  private RawHttp() {
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line that ends them: {@code
   * Connection: close} and that line are added) from {@code source} to the gateway on loopback.
   *
   * @return the answer's status line and headers
   */
  static String send(int port, String source, String head) throws IOException {
    return send(port, source, head, "");
  }

  /**
   * Sends {@code head} as {@link #send(int, String, String)} does, then {@code body}.
   *
   * @return the answer's status line and headers
   */
  static String send(int port, String source, String head, String body) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((head + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
      return readHead(socket.getInputStream());
    }
  }

  /**
   * {@code GET path} with an optional bearer, from {@code source}.
   *
   * @return the answer's status line and headers
   */
  static String get(int port, String source, String path, String bearer) throws IOException {
    return send(port, source, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
      + (bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n"));
  }

  /**
   * @return the status of an answer's head, or -1 when it has none
   */
  static int status(String head) {
    Matcher m = STATUS.matcher(head);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * Reads a response head, up to and with the blank line that ends it (or the end of the stream).
   */
  static String readHead(InputStream in) throws IOException {
    return Attacks.readHead(in);
  }

  /**
   * @return the status a WebSocket upgrade of {@code uri} with {@code key} as bearer was answered
   *   with (101 when it opened; it is closed at once); without a bearer when {@code key} is null
   */
  static int webSocketStatus(HttpClient http, URI uri, String key) {
    try {
      WebSocket.Builder builder = http.newWebSocketBuilder();
      if (key != null) {
        builder.header("authorization", "Bearer " + key);
      }
      WebSocket ws = builder.buildAsync(uri, new WebSocket.Listener() { })
        .orTimeout(30, TimeUnit.SECONDS).join();
      ws.abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }
}
