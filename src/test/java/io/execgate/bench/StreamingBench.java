package io.execgate.bench;

import io.execgate.docker.RawDockerSequence;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark scenarios 3 and 4: stdout streaming throughput to a WebSocket client against a raw
 * attach, and many WebSocket watchers over a few running executions.
 */
final class StreamingBench {

  private StreamingBench() {
  }

  /** The same program for execgate and the raw attach: text, so that both carry the same bytes. */
  static String producer(long bytes) {
    return "yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c " + bytes;
  }

  /**
   * Streams {@code bytes} of stdout through execgate's interactive WebSocket, as JSON frames or, under
   * the {@code execgate.binary.v1} subprotocol, as binary messages (a 20-byte header, then the bytes).
   *
   * @return {bytes, firstToLastMs, totalMs, mbPerSecond}
   */
  static JsonObject execgate(Vertx vertx, GatewayProcess gw, long bytes, boolean binary) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(64 << 20).setMaxMessageSize(64 << 20));
    AtomicLong received = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    CompletableFuture<JsonObject> exit = new CompletableFuture<>();
    long t0 = System.nanoTime();
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      String type = frame.getString("type");
      if ("stdout".equals(type)) {
        arrived(first, last);
        received.addAndGet(frame.getString("data").length());
      } else if ("exit".equals(type)) {
        exit.complete(frame);
      }
    });
    ws.binaryMessageHandler(message -> {
      if (message.getByte(0) == 1 && message.getByte(1) == 1) {
        arrived(first, last);
        received.addAndGet(message.length() - 20);
      }
    });
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port)
      .setURI("/v1/ws");
    if (binary) {
      connect.addSubProtocol("execgate.binary.v1");
    }
    ws.connect(connect).await(30, TimeUnit.SECONDS);
    ws.writeTextMessage(new JsonObject().put("type", "run").put("script", producer(bytes))
      .put("limits", new JsonObject().put("outputBytes", bytes + 1024).put("timeoutMs", 60_000)).encode());
    JsonObject result = exit.get(120, TimeUnit.SECONDS);
    long total = System.nanoTime() - t0;
    client.close();
    if (!"succeeded".equals(result.getString("status")) || received.get() != bytes) {
      throw new IllegalStateException("streamed " + received.get() + " of " + bytes + ": " + result.encode());
    }
    return figures(received.get(), first.get(), last.get(), total);
  }

  private static void arrived(AtomicLong first, AtomicLong last) {
    long now = System.nanoTime();
    first.compareAndSet(0, now);
    last.set(now);
  }

  private static JsonObject figures(long bytes, long first, long last, long total) {
    return new JsonObject().put("bytes", bytes)
      .put("firstToLastMs", Stats.round((last - first) / 1e6))
      .put("totalMs", Stats.round(total / 1e6))
      .put("mbPerSecond", Stats.round(bytes / 1e6 / ((last - first) / 1e9)));
  }

  /**
   * Streams {@code bytes} of stdout through the raw-bytes endpoint, {@code GET /v1/executions/{id}/stdout},
   * read live from byte 0 while the execution runs.
   */
  static JsonObject rawEndpoint(GatewayProcess gw, long bytes) throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> accepted = gw.post("/v1/executions", new JsonObject().put("script", producer(bytes))
      .put("limits", new JsonObject().put("outputBytes", bytes + 1024).put("timeoutMs", 60_000)).encode());
    if (accepted.statusCode() != 202) {
      throw new IllegalStateException("not accepted: " + accepted.statusCode() + " " + accepted.body());
    }
    String id = new JsonObject(accepted.body()).getString("id");
    HttpResponse<InputStream> out = gw.http().send(gw.request("/v1/executions/" + id + "/stdout", null).build(),
      HttpResponse.BodyHandlers.ofInputStream());
    long received = 0;
    long first = 0;
    long last = 0;
    byte[] buf = new byte[64 << 10];
    try (InputStream in = out.body()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        last = System.nanoTime();
        if (first == 0) {
          first = last;
        }
        received += n;
      }
    }
    long total = System.nanoTime() - t0;
    if (out.statusCode() != 200 || received != bytes) {
      throw new IllegalStateException("raw endpoint: " + out.statusCode() + ", " + received + " of " + bytes);
    }
    return figures(received, first, last, total);
  }

  static JsonObject raw(RawDockerSequence raw, long bytes) throws Exception {
    long t0 = System.nanoTime();
    long[] firstLast = new long[2];
    long got = raw.streamText(Benchmark.IMAGE, producer(bytes), "stream", firstLast);
    long total = System.nanoTime() - t0;
    if (got != bytes) {
      throw new IllegalStateException("raw attach got " + got + " of " + bytes);
    }
    return figures(got, firstLast[0], firstLast[1], total);
  }

  /**
   * 1,000 watchers over 10 executions printing a line every 100 ms: delivery latency (receive time
   * minus the frame's emission time), completeness and order.
   */
  static JsonObject watchers(Vertx vertx, GatewayProcess gw, int executions, int watchers, int lines)
    throws Exception {
    List<String> ids = new ArrayList<>();
    List<Long> submittedAt = new ArrayList<>();
    for (int i = 0; i < executions; i++) {
      JsonObject accepted = new JsonObject(gw.post("/v1/executions", new JsonObject()
        .put("script", "sleep 3; i=0; while [ $i -lt " + lines + " ]; do echo \"line $i\"; i=$((i+1)); sleep 0.1; done")
        .put("limits", new JsonObject().put("timeoutMs", 60_000)).encode()).body());
      ids.add(accepted.getString("id"));
    }
    for (String id : ids) {
      submittedAt.add(new JsonObject(gw.get("/v1/executions/" + id).body()).getLong("submittedAt"));
    }
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(watchers + 10));
    Stats latency = new Stats();
    CountDownLatch done = new CountDownLatch(watchers);
    AtomicLong incomplete = new AtomicLong();
    for (int w = 0; w < watchers; w++) {
      int e = w % executions;
      String id = ids.get(e);
      long submitted = submittedAt.get(e);
      long[] expectedSeq = {0};
      int[] lineCount = {0};
      ClientWebSocket ws = client.webSocket();
      long[] connectedAt = {Long.MAX_VALUE};
      ws.textMessageHandler(text -> {
        long now = System.currentTimeMillis();
        JsonObject frame = new JsonObject(text);
        long seq = frame.getLong("seq");
        if (seq != expectedSeq[0]) {
          incomplete.incrementAndGet();
        }
        expectedSeq[0] = seq + 1;
        if ("stdout".equals(frame.getString("type"))) {
          lineCount[0] += frame.getString("data").split("\n", -1).length - 1;
          long emitted = submitted + frame.getLong("t");
          // replayed frames (older than this watcher) measure the replay, not delivery
          if (emitted >= connectedAt[0]) {
            latency.add(now - emitted);
          }
        }
      });
      ws.closeHandler(v -> {
        if (lineCount[0] != lines) {
          incomplete.incrementAndGet();
        }
        done.countDown();
      });
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port)
          .setURI("/v1/executions/" + id + "/stream"))
        .onSuccess(connected -> connectedAt[0] = System.currentTimeMillis())
        .onFailure(err -> {
          incomplete.incrementAndGet();
          done.countDown();
        });
    }
    long heapPeak = 0;
    long rssPeak = 0;
    while (!done.await(1, TimeUnit.SECONDS)) {
      rssPeak = Math.max(rssPeak, gw.rssBytes());
      heapPeak = Math.max(heapPeak, gw.heapUsedBytes());
    }
    long heapAfterGc = gw.heapUsedAfterGcBytes();
    client.close();
    return new JsonObject()
      .put("executions", executions)
      .put("watchers", watchers)
      .put("framesMeasured", latency.count())
      .put("incompleteOrOutOfOrder", incomplete.get())
      .put("deliveryMs", latency.toJson())
      .put("gatewayRssPeakMiB", Stats.round(rssPeak / 1048576.0))
      .put("gatewayHeapPeakMiB", Stats.round(heapPeak / 1048576.0))
      .put("gatewayHeapAfterGcMiB", Stats.round(heapAfterGc / 1048576.0));
  }
}
