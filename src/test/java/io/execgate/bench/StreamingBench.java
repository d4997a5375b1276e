package io.execgate.bench;

import io.execgate.docker.RawDockerSequence;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

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
   * Streams {@code bytes} of stdout through execgate's interactive WebSocket.
   *
   * @return {bytes, firstToLastMs, totalMs}
   */
  static JsonObject execgate(Vertx vertx, GatewayProcess gw, long bytes) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(64 << 20).setMaxMessageSize(64 << 20));
    AtomicLong received = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    CompletableFuture<JsonObject> exit = new CompletableFuture<>();
    long t0 = System.nanoTime();
    WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port)
      .setURI("/v1/ws")).await(30, TimeUnit.SECONDS);
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      String type = frame.getString("type");
      if ("stdout".equals(type)) {
        long now = System.nanoTime();
        first.compareAndSet(0, now);
        last.set(now);
        received.addAndGet(frame.getString("data").length());
      } else if ("exit".equals(type)) {
        exit.complete(frame);
      }
    });
    ws.writeTextMessage(new JsonObject().put("type", "run").put("script", producer(bytes))
      .put("limits", new JsonObject().put("outputBytes", bytes + 1024).put("timeoutMs", 60_000)).encode());
    JsonObject result = exit.get(120, TimeUnit.SECONDS);
    long total = System.nanoTime() - t0;
    client.close();
    if (!"succeeded".equals(result.getString("status")) || received.get() != bytes) {
      throw new IllegalStateException("streamed " + received.get() + " of " + bytes + ": " + result.encode());
    }
    return new JsonObject().put("bytes", received.get())
      .put("firstToLastMs", Stats.round((last.get() - first.get()) / 1e6))
      .put("totalMs", Stats.round(total / 1e6))
      .put("mbPerSecond", Stats.round(received.get() / 1e6 / ((last.get() - first.get()) / 1e9)));
  }

  static JsonObject raw(RawDockerSequence raw, long bytes) throws Exception {
    long t0 = System.nanoTime();
    long[] firstLast = new long[2];
    long got = raw.streamText(Benchmark.IMAGE, producer(bytes), "stream", firstLast);
    long total = System.nanoTime() - t0;
    if (got != bytes) {
      throw new IllegalStateException("raw attach got " + got + " of " + bytes);
    }
    return new JsonObject().put("bytes", got)
      .put("firstToLastMs", Stats.round((firstLast[1] - firstLast[0]) / 1e6))
      .put("totalMs", Stats.round(total / 1e6))
      .put("mbPerSecond", Stats.round(got / 1e6 / ((firstLast[1] - firstLast[0]) / 1e9)));
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
      client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port)
          .setURI("/v1/executions/" + id + "/stream"))
        .onSuccess(ws -> {
          long connectedAt = System.currentTimeMillis();
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
              if (emitted >= connectedAt) {
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
        })
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
