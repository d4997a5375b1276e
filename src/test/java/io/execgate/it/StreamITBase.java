package io.execgate.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real streaming clients for the ITs: Vert.x WebSocket clients, SSE and NDJSON over a plain
 * HttpClient, each collecting {@link Frames}.
 */
abstract class StreamITBase extends GatewayITBase {

  protected WebSocketClient wsClient;
  protected HttpClient http;

  @BeforeAll
  void createStreamClients() {
    wsClient = vertx.createWebSocketClient(wsOptions());
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(gateway.actualPort()));
  }

  protected WebSocketClientOptions wsOptions() {
    return new WebSocketClientOptions()
      .setDefaultHost("127.0.0.1")
      .setMaxConnections(1000)
      .setMaxFrameSize(64 << 20)
      .setMaxMessageSize(64 << 20);
  }

  @AfterAll
  void closeStreamClients() {
    if (wsClient != null) {
      await(wsClient.close());
    }
    if (http != null) {
      await(http.close());
    }
  }

  /**
   * Opens a WebSocket on {@code uri} of the gateway and collects what it receives.
   */
  protected Frames ws(String uri) {
    return ws(wsClient, uri, new Frames());
  }

  protected Frames ws(WebSocketClient client, String uri, Frames frames) {
    // handlers go on before connecting: a short stream may be sent and closed before connect's
    // future reaches this thread
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.closeHandler(v -> frames.closed(ws.closeStatusCode(), ws.closeReason()));
    frames.ws = await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
      .setURI(uri)));
    return frames;
  }

  /**
   * Opens the interactive socket and sends {@code run} with {@code body}.
   */
  protected Frames interactive(JsonObject body) {
    Frames frames = ws("/v1/ws");
    send(frames, body.copy().put("type", "run"));
    return frames;
  }

  protected static void send(Frames frames, JsonObject message) {
    await(frames.ws.writeTextMessage(message.encode()));
  }

  /**
   * Submits with {@code Accept: application/x-ndjson} and collects the streamed frames.
   */
  protected Frames ndjson(JsonObject body) {
    Frames frames = new Frames();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/executions")
      .putHeader("content-type", "application/json").putHeader("accept", "application/x-ndjson");
    http.request(request)
      .compose(req -> req.send(body.toBuffer()))
      .onSuccess(resp -> {
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.getHeader("content-type")).isEqualTo("application/x-ndjson");
        RecordParser.newDelimited("\n", resp).handler(line -> frames.add(line.toJsonObject()))
          .endHandler(v -> frames.closed(null, null));
      })
      .onFailure(frames.ended::completeExceptionally);
    return frames;
  }

  /**
   * Reads Server-Sent Events from {@code uri}, optionally resuming after {@code lastEventId}.
   */
  protected Frames sse(String uri, String lastEventId) {
    Frames frames = new Frames();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri)
      .putHeader("accept", "text/event-stream");
    if (lastEventId != null) {
      request.putHeader("last-event-id", lastEventId);
    }
    http.request(request)
      .compose(req -> req.send())
      .onSuccess(resp -> {
        assertThat(resp.getHeader("content-type")).startsWith("text/event-stream");
        SseParser parser = new SseParser(frames);
        RecordParser.newDelimited("\n", resp).handler(line -> parser.line(line.toString(StandardCharsets.UTF_8)))
          .endHandler(v -> frames.closed(null, null));
      })
      .onFailure(frames.ended::completeExceptionally);
    return frames;
  }

  /** Enough of the SSE format for the tests: id and data fields, events ended by a blank line. */
  private static final class SseParser {
    private final Frames frames;
    private final StringBuilder data = new StringBuilder();
    private String id;

    SseParser(Frames frames) {
      this.frames = frames;
    }

    void line(String line) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          JsonObject frame = new JsonObject(data.toString());
          if (id != null) {
            assertThat(Long.parseLong(id)).isEqualTo(frame.getLong("seq"));
          }
          frames.add(frame);
        }
        data.setLength(0);
        id = null;
      } else if (line.startsWith("data: ")) {
        data.append(line, 6, line.length());
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      }
    }
  }

  /**
   * Submits without waiting.
   *
   * @return the execution id
   */
  protected String submit(JsonObject body) {
    var r = post("/v1/executions", body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    return r.bodyAsJsonObject().getString("id");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Buffer text(String s) {
    return Buffer.buffer(s);
  }
}
