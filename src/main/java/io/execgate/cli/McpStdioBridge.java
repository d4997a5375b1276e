package io.execgate.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code java -jar execgate.jar mcp-stdio --url <gateway> [--key <key>]}: MCP's stdio transport for
 * clients that only start local servers. Each line on stdin (one JSON-RPC message) is POSTed to the
 * gateway's {@code /mcp}; each message that comes back (a JSON body, or each event of an event
 * stream, progress included) is one line on stdout. The key comes from {@code --key} or, to keep it
 * out of the process list, {@code EXECGATE_API_KEY}. Messages go out concurrently, so that a
 * cancellation reaches the gateway while its call runs. stdin's end ends the MCP session. Logs go
 * to stderr: stdout carries the protocol only.
 */
final class McpStdioBridge {

  private static final Logger log = LoggerFactory.getLogger(McpStdioBridge.class);

  private final URI endpoint;
  private final String key;
  private final PrintStream out;
  /** Forwards messages, one thread each while it waits for its answer. */
  private final ExecutorService forwards = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "mcp-stdio");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private volatile String session;
  private volatile String protocolVersion;

  McpStdioBridge(URI endpoint, String key, PrintStream out) {
    this.endpoint = endpoint;
    this.key = key;
    this.out = out;
  }

  /**
   * @return the exit code
   */
  static int run(String[] args, InputStream in, PrintStream out) {
    String url = null;
    String key = System.getenv("EXECGATE_API_KEY");
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--url") && i + 1 < args.length) {
        url = args[++i];
      } else if (args[i].equals("--key") && i + 1 < args.length) {
        key = args[++i];
      } else {
        url = null;
        break;
      }
    }
    if (url == null) {
      log.error("usage: execgate mcp-stdio --url <gateway, e.g. http://localhost:8080> [--key <API key>]"
        + " (or EXECGATE_API_KEY)");
      return Main.EXIT_CONFIG;
    }
    URI endpoint = URI.create(url.replaceAll("/+$", "") + "/mcp");
    return new McpStdioBridge(endpoint, key, out).pump(in);
  }

  private int pump(InputStream in) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        String message = line;
        // initialize first, alone: the session id it brings is needed by everything after it
        if (session == null && "initialize".equals(methodOf(message))) {
          forward(message);
        } else {
          forwards.execute(() -> forward(message));
        }
      }
    } catch (IOException e) {
      log.error("reading stdin failed: {}", e.getMessage());
    }
    // the client is gone: answers still on their way get a moment, then the session ends
    forwards.shutdown();
    awaitQuietly(forwards);
    endSession();
    return 0;
  }

  private HttpRequest.Builder request() {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint);
    if (key != null && !key.isEmpty()) {
      request.header("authorization", "Bearer " + key);
    }
    if (session != null) {
      request.header("mcp-session-id", session);
    }
    if (protocolVersion != null) {
      request.header("mcp-protocol-version", protocolVersion);
    }
    return request;
  }

  private void forward(String message) {
    Object id = idOf(message);
    HttpRequest request = request()
      .header("content-type", "application/json")
      .header("accept", "application/json, text/event-stream")
      .POST(HttpRequest.BodyPublishers.ofString(message, StandardCharsets.UTF_8))
      .build();
    try {
      HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
      response.headers().firstValue("mcp-session-id").ifPresent(s -> session = s);
      String type = response.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
      try (Stream<String> lines = response.body()) {
        if (type.startsWith("text/event-stream")) {
          events(lines.iterator());
        } else if (response.statusCode() != 202) {
          reply(id, response.statusCode(), String.join("\n", lines.toList()));
        }
      }
    } catch (IOException e) {
      if (id != null) {
        emit(error(id, "the gateway at " + endpoint + " cannot be reached: " + e.getMessage()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Each event's data is one message: written as one line. */
  private void events(Iterator<String> lines) {
    StringBuilder data = new StringBuilder();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isEmpty()) {
        if (data.length() > 0) {
          emit(data.toString());
          data.setLength(0);
        }
      } else if (line.startsWith("data:")) {
        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
      }
    }
    if (data.length() > 0) {
      emit(data.toString());
    }
  }

  /**
   * A JSON answer: written as it is when it is a JSON-RPC message with the request's id; otherwise
   * (an HTTP error of the gateway, such as a 401) as a JSON-RPC error for that request.
   */
  private void reply(Object id, int status, String body) {
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      json = null;
    }
    if (json != null && json.containsKey("jsonrpc")) {
      if (json.getValue("id") == null && id != null) {
        json.put("id", id);
      }
      JsonObject result = json.getJsonObject("result");
      if (result != null && result.getString("protocolVersion") != null) {
        protocolVersion = result.getString("protocolVersion");
      }
      emit(json.encode());
    } else if (id != null) {
      JsonObject error = json == null ? null : json.getJsonObject("error");
      emit(error(id, "HTTP " + status + (error != null ? ": " + error.getString("message") : "")));
    }
  }

  private static String error(Object id, String message) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id)
      .put("error", new JsonObject().put("code", -32000).put("message", message)).encode();
  }

  private static Object idOf(String message) {
    try {
      return new JsonObject(message).getValue("id");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Object methodOf(String message) {
    try {
      return new JsonObject(message).getValue("method");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void emit(String line) {
    synchronized (out) {
      // the protocol's channel: one message per line
      out.print(line);
      out.print('\n');
      out.flush();
    }
  }

  private void endSession() {
    if (session == null) {
      return;
    }
    try {
      http.send(request().DELETE().timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      log.debug("ending the MCP session failed: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean awaitQuietly(ExecutorService threads) {
    try {
      return threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
