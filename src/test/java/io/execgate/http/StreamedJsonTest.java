package io.execgate.http;

import io.execgate.store.TextSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JSON response whose texts are written as the client takes them: the body is exactly the JSON of
 * the texts (escaped, wherever their placeholders are, as often as they appear), and a client that
 * does not read makes the writer stop asking for pieces.
 */
class StreamedJsonTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private int serve(Function<StreamedJson, JsonObject> body) {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      StreamedJson json = new StreamedJson();
      json.send(req.response(), 200, body.apply(json));
    }).listen(0, "127.0.0.1").await();
    return server.actualPort();
  }

  private static String get(int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return dechunk(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    byte[] bytes = chunked.getBytes(StandardCharsets.UTF_8);
    int i = 0;
    while (true) {
      int eol = indexOf(bytes, i);
      int size = Integer.parseInt(new String(bytes, i, eol - i, StandardCharsets.US_ASCII).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(new String(bytes, eol + 2, size, StandardCharsets.UTF_8));
      i = eol + 2 + size + 2;
    }
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length - 1; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    throw new IllegalStateException("no line end");
  }

  @Test
  void theBodyIsTheJsonOfTheTextsWhereverTheirPlaceholdersAre() throws Exception {
    String control = "\u0001\u0002\"\\\n".repeat(5000) + "é😀";
    int port = serve(json -> {
      String a = json.slot(() -> TextSource.of(List.of("he", "llo")));
      String b = json.slot(() -> TextSource.of(control));
      return new JsonObject().put("a", a).put("both", a + " & " + b).put("nested", new JsonObject().put("b", b))
        .put("plain", "not a slot: \u0000").put("n", 3);
    });
    JsonObject got = new JsonObject(get(port));
    assertThat(got).isEqualTo(new JsonObject().put("a", "hello").put("both", "hello & " + control)
      .put("nested", new JsonObject().put("b", control)).put("plain", "not a slot: \u0000").put("n", 3));
  }

  @Test
  void aClientThatDoesNotReadStopsTheReading() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    String piece = "\u0001".repeat(32 * 1024);
    int pieces = 1000;
    int port = serve(json -> new JsonObject().put("stdout", json.slot(() -> () -> Future.succeededFuture(
      asked.incrementAndGet() <= pieces ? piece : null))));
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(1500);
      // 1,000 pieces are 192 MiB escaped: the writer stopped after what the sockets' buffers hold
      int stuck = asked.get();
      assertThat(stuck).isLessThan(pieces / 10);
      Thread.sleep(500);
      assertThat(asked.get()).isEqualTo(stuck);
      // reading on lets it finish
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      byte[] buf = new byte[1 << 16];
      long total = 0;
      while (total < (long) pieces * piece.length() * 6) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        total += n;
        if (body.size() == 0) {
          body.write(buf, 0, Math.min(n, 200));
        }
      }
      for (int i = 0; i < 100 && asked.get() <= pieces; i++) {
        Thread.sleep(20);
      }
      assertThat(asked.get()).as("every piece read, then the end").isEqualTo(pieces + 1);
      String head = body.toString(StandardCharsets.US_ASCII);
      assertThat(head.contains("{\"stdout\":\"") && head.contains("\\u0001\\u0001")).as("the body begins as JSON")
        .isTrue();
    }
  }

  /**
   * An answer read as fast as it is written (its write queue never full) gives the event loop up
   * between two turns: the loop's timers (and sockets) are served while it is written. A turn queued
   * as a task ran back to back with the others, for up to a second, before the loop read a socket or
   * fired a timer again.
   */
  @Test
  void theLoopServesItsTimersAndSocketsBetweenTwoTurnsOfAnAnswer() throws Exception {
    int slices = 400;
    String text = "a".repeat(slices * StreamedJson.SLICE_CHARS);
    AtomicInteger writes = new AtomicInteger();
    // a client that takes every byte at once
    HttpServerResponse response = (HttpServerResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {HttpServerResponse.class}, (proxy, method, args) -> switch (method.getName()) {
        case "write" -> {
          writes.incrementAndGet();
          yield Future.succeededFuture();
        }
        case "end" -> Future.succeededFuture();
        case "writeQueueFull" -> false;
        default -> method.getReturnType().isInstance(proxy) ? proxy : null;
      });
    CompletableFuture<Integer> atTimer = new CompletableFuture<>();
    CompletableFuture<Void> sent = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> {
      vertx.setTimer(1, t -> atTimer.complete(writes.get()));
      StreamedJson json = new StreamedJson();
      json.send(response, 200, new JsonObject().put("stdout", json.slot(() -> TextSource.of(text))))
        .onComplete(ar -> sent.complete(null));
    });
    sent.get(10, TimeUnit.SECONDS);
    assertThat(writes.get()).as("the slices and the JSON around them").isGreaterThan(slices);
    assertThat(atTimer.get(10, TimeUnit.SECONDS)).as("writes when the timer fired").isLessThan(slices / 4);
  }
}
