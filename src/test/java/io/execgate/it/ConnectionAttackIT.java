package io.execgate.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection family of the availability attacks, on the runnable jar ({@code -Xmx512m}, real
 * engine): half-sent requests and a slowloris are cut at the header deadline, a stalled or dripping
 * body at the idle timeout; streams (WebSocket and SSE watchers, interactive sockets, NDJSON) are capped per key
 * and per node with 429 {@code too_many_streams}, and their opens count against the key's rate; a
 * permessage-deflate bomb is never inflated; big bodies (two 14 MiB ones at once, as reported) are
 * decoded off the event loop. Throughout,
 * {@code /health} answers within 500 ms and the victim's {@code echo hi} within 2 s; no
 * {@code OutOfMemoryError}, every record final, no container left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ConnectionAttackIT {

  private static final Logger log = LoggerFactory.getLogger(ConnectionAttackIT.class);
  /** The defaults of http.headerTimeoutMs, http.idleTimeoutMs and auth.defaults.maxStreams. */
  private static final long HEADER_TIMEOUT_MS = 10_000;
  private static final long IDLE_TIMEOUT_MS = 30_000;
  private static final int KEY_STREAMS = 32;
  /** http.maxStreams of this gateway: the flooder's 32 and 16 more. */
  private static final int NODE_STREAMS = 48;
  /** The default of auth.defaults.ratePerMinute. */
  private static final int RATE_PER_MINUTE = 600;

  private final String flooderKey = AttackedGateway.randomKey();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private AttackedGateway gateway;

  @BeforeAll
  void start() throws Exception {
    gateway = new AttackedGateway(new JsonObject().put("http", new JsonObject().put("maxStreams", NODE_STREAMS)),
      Map.of("EXECGATE_API_KEYS", "flooder=" + flooderKey)).inService();
  }

  @AfterAll
  void noneLostNoneLeft() throws Exception {
    threads.shutdownNow();
    try {
      gateway.assertAllRecordsFinal(60_000);
      gateway.assertNoExecutionContainerLeft(30_000);
      gateway.assertNoOutOfMemoryError();
      assertThat(gateway.log()).doesNotContain("OutOfDirectMemoryError");
    } finally {
      gateway.close();
    }
  }

  @Test
  void halfSentRequestsAndASlowlorisAreCutAtTheHeaderDeadlineAndAStalledBodyAtTheIdleTimeout() throws Exception {
    try (AttackedGateway.HealthProbe probe = gateway.probe()) {
      List<Future<Long>> silent = new ArrayList<>();
      List<Future<Long>> halfHead = new ArrayList<>();
      List<Future<Long>> loris = new ArrayList<>();
      List<Future<Long>> halfBody = new ArrayList<>();
      List<Future<Long>> dripBody = new ArrayList<>();
      String bodyHead = "POST /v1/executions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + flooderKey
        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"script\":";
      for (int i = 0; i < 10; i++) {
        silent.add(hold(new byte[0], 0));
        halfHead.add(hold(("GET /v1/runtimes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + flooderKey + "\r\n")
          .getBytes(StandardCharsets.US_ASCII), 0));
        // a slowloris: one more header byte every second, forever
        loris.add(hold("POST /v1/executions HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII), 1_000));
        // a complete head, then 10 of the 1000 announced body bytes
        halfBody.add(hold(bodyHead.getBytes(StandardCharsets.US_ASCII), 0));
        // a complete head, then a body byte every second: never idle
        dripBody.add(hold(bodyHead.getBytes(StandardCharsets.US_ASCII), 1_000));
      }
      Thread.sleep(3_000);
      long echoMs = gateway.victimEchoWithin(2_000);

      List<Long> silentMs = closedAfter(silent);
      List<Long> halfHeadMs = closedAfter(halfHead);
      List<Long> lorisMs = closedAfter(loris);
      List<Long> halfBodyMs = closedAfter(halfBody);
      List<Long> dripBodyMs = closedAfter(dripBody);
      log.info("closed after (ms): silent {}, half-sent head {}, slowloris {}, stalled body {}, dripping body {}; "
          + "victim's echo {} ms; slowest /health {} ms of {}", silentMs, halfHeadMs, lorisMs, halfBodyMs, dripBodyMs,
        echoMs, probe.maxMs(), probe.count());
      for (List<Long> cut : List.of(silentMs, halfHeadMs, lorisMs)) {
        assertThat(cut).allSatisfy(ms -> assertThat(ms).isBetween(HEADER_TIMEOUT_MS - 500, HEADER_TIMEOUT_MS + 2_000));
      }
      for (List<Long> cut : List.of(halfBodyMs, dripBodyMs)) {
        assertThat(cut).allSatisfy(ms -> assertThat(ms).isBetween(IDLE_TIMEOUT_MS - 500, IDLE_TIMEOUT_MS + 2_000));
      }
      probe.assertAllWithin(500);
    }
  }

  private Future<Long> hold(byte[] head, long dripMs) {
    return threads.submit(() -> SlowClient.hold(gateway.port, head, dripMs));
  }

  private static List<Long> closedAfter(List<Future<Long>> connections) throws Exception {
    List<Long> ms = new ArrayList<>();
    for (Future<Long> f : connections) {
      ms.add(f.get(60, TimeUnit.SECONDS));
    }
    return ms;
  }

  @Test
  void streamsAreCappedPerKeyAndPerNodeAndTheirOpensCountAgainstTheKeysRate() throws Exception {
    String flooderRun = submit(flooderKey, "echo start; sleep 40; echo end");
    String victimRun = submit(gateway.victimKey, "echo start; sleep 40; echo end");
    List<AutoCloseable> open = new ArrayList<>();
    try (AttackedGateway.HealthProbe probe = gateway.probe()) {
      // the flooder's share: 32 streams, half SSE, half WebSocket watchers
      for (int i = 0; i < KEY_STREAMS; i++) {
        open.add(i % 2 == 0 ? sse(flooderKey, flooderRun) : watcher(flooderKey, flooderRun));
      }
      // one more of any kind: 429 too_many_streams
      assertRefused(sseResponse(flooderKey, flooderRun), "too_many_streams", "key 'flooder'");
      assertThat(handshakeStatus(flooderKey, "/v1/executions/" + flooderRun + "/stream")).isEqualTo(429);
      assertThat(handshakeStatus(flooderKey, "/v1/ws")).isEqualTo(429);
      HttpResponse<String> ndjson = http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions"))
        .header("authorization", "Bearer " + flooderKey).header("content-type", "application/json")
        .header("accept", "application/x-ndjson").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"script\":\"echo never\"}")).build(), HttpResponse.BodyHandlers.ofString());
      assertRefused(ndjson, "too_many_streams", "key 'flooder'");

      // the victim still gets streams, up to what the node has left
      for (int i = 0; i < NODE_STREAMS - KEY_STREAMS; i++) {
        open.add(i % 2 == 0 ? sse(gateway.victimKey, victimRun) : watcher(gateway.victimKey, victimRun));
      }
      assertRefused(sseResponse(gateway.victimKey, victimRun), "too_many_streams", "this gateway");
      long echoMs = gateway.victimEchoWithin(2_000);

      // every open counts against the flooder's rate, refused or not: within its burst it is rate-limited
      int requests = 2 * KEY_STREAMS + 8;
      HttpResponse<String> last = null;
      while (requests < RATE_PER_MINUTE + 200) {
        last = http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + flooderRun + "/events"))
          .header("authorization", "Bearer " + flooderKey).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
        requests++;
        if (last.statusCode() != 429 || !code(last).equals("too_many_streams")) {
          break;
        }
      }
      assertThat(last).isNotNull();
      assertRefused(last, "rate_limited", "requests per minute");
      assertThat(Long.parseLong(last.headers().firstValue("retry-after").orElseThrow())).isPositive();
      // its burst, and what its bucket refilled meanwhile (10 a second)
      assertThat(requests).as("requests of the flooder before its rate stopped it").isLessThanOrEqualTo(RATE_PER_MINUTE + 100);
      log.info("streams: the flooder held {}, the victim {}; the flooder was rate-limited after {} requests; victim's "
        + "echo {} ms; slowest /health {} ms of {}", KEY_STREAMS, NODE_STREAMS - KEY_STREAMS, requests, echoMs,
        probe.maxMs(), probe.count());

      // closed streams give their places back, every one
      for (AutoCloseable c : open) {
        c.close();
      }
      open.clear();
      long deadline = System.currentTimeMillis() + 10_000;
      double streamsOpen;
      do {
        Thread.sleep(200);
        streamsOpen = gauge("execgate_streams_open");
      } while (streamsOpen > 0 && System.currentTimeMillis() < deadline);
      assertThat(streamsOpen).as("streams open after all were closed").isZero();
      open.add(sse(gateway.victimKey, victimRun));
      probe.assertAllWithin(500);
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
      cancel(flooderKey, flooderRun);
      cancel(gateway.victimKey, victimRun);
    }
  }

  /**
   * @return the value of a gauge of the gateway's {@code /metrics}
   */
  private double gauge(String name) throws Exception {
    for (String line : gateway.get("/metrics", gateway.adminKey).body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no gauge " + name + " in /metrics");
  }

  private String submit(String key, String script) throws Exception {
    HttpResponse<String> r = gateway.post("/v1/executions", key, new JsonObject().put("script", script)
      .put("limits", new JsonObject().put("timeoutMs", 45_000)).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("id");
    gateway.track(id);
    return id;
  }

  private void cancel(String key, String id) throws Exception {
    http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + id)).DELETE()
      .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding());
  }

  private HttpResponse<InputStream> sseResponse(String key, String id) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + id + "/events"))
      .header("authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).build(),
      HttpResponse.BodyHandlers.ofInputStream());
  }

  /**
   * @return an open event stream
   */
  private AutoCloseable sse(String key, String id) throws Exception {
    HttpResponse<InputStream> r = sseResponse(key, id);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    return r.body();
  }

  /**
   * @return a watcher's WebSocket, open (the upgrade succeeded, else this throws)
   */
  private AutoCloseable watcher(String key, String id) {
    WebSocket ws = http.newWebSocketBuilder().header("authorization", "Bearer " + key)
      .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port + "/v1/executions/" + id + "/stream"),
        new WebSocket.Listener() { })
      .orTimeout(30, TimeUnit.SECONDS).join();
    return ws::abort;
  }

  /**
   * @return the status a WebSocket upgrade of {@code path} was answered with (101 when it opened)
   */
  private int handshakeStatus(String key, String path) {
    return RawHttp.webSocketStatus(http, URI.create("ws://127.0.0.1:" + gateway.port + path), key);
  }

  private static void assertRefused(HttpResponse<?> r, String code, String messagePart) throws IOException {
    String body = r.body() instanceof InputStream in ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
      : String.valueOf(r.body());
    assertThat(r.statusCode()).as(body).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).as("Retry-After of %s", body).isPresent();
    JsonObject error = new JsonObject(body).getJsonObject("error");
    assertThat(error.getString("code")).as(body).isEqualTo(code);
    assertThat(error.getString("message")).contains(messagePart);
  }

  private static String code(HttpResponse<String> r) {
    try {
      return new JsonObject(r.body()).getJsonObject("error").getString("code");
    } catch (RuntimeException e) {
      return "";
    }
  }

  @Test
  void aPerMessageDeflateBombIsNeverInflated() throws Exception {
    try (AttackedGateway.HealthProbe probe = gateway.probe()) {
      DeflateBomb.Outcome bomb = DeflateBomb.send(gateway.port, gateway.attackerKey);
      log.info("deflate bomb ({} bytes for 1 GiB): socket closed after {} ms with code {}; slowest /health {} ms of {}",
        bomb.bombBytes(), bomb.ms(), bomb.closeCode(), probe.maxMs(), probe.count());
      assertThat(bomb.bombBytes()).isLessThan(2 << 20);
      assertThat(bomb.handshake()).startsWith("HTTP/1.1 101");
      // the gateway never agrees to compression...
      assertThat(bomb.handshake().toLowerCase(Locale.ROOT)).doesNotContain("sec-websocket-extensions");
      // ...so a compressed frame (RSV1) is a protocol error, never inflated
      assertThat(bomb.closeCode()).as("close code (-1: the connection closed without a close frame)").isIn(1002, -1);
      assertThat(bomb.ms()).isLessThan(10_000);
      gateway.victimEchoWithin(2_000);
      probe.assertAllWithin(500);
    }
  }

  @Test
  void bigBodiesAreDecodedOffTheEventLoop() throws Exception {
    // 14 MiB of small JSON values: what costs most to decode (encoded once: this JVM hosts the probes)
    String padding = ",\"pad\":[" + "0,".repeat(7 << 20) + "0]}";
    byte[] piston = ("{\"language\":\"sh\",\"version\":\"*\",\"files\":[{\"content\":\"echo hi\"}]" + padding)
      .getBytes(StandardCharsets.UTF_8);
    byte[] image = ("{\"image\":\"execgate/busybox:1.35\"" + padding).getBytes(StandardCharsets.UTF_8);
    byte[] submit = ("{\"script\":\"echo hi\"" + padding).getBytes(StandardCharsets.UTF_8);
    padding = null;
    try (AttackedGateway.HealthProbe probe = gateway.probe(); TightProbe tight = new TightProbe(gateway.uri("/health"))) {
      // the reported attack, on every route that decodes a body: two 14 MiB bodies at once, six times
      List<List<String>> waves = List.of(List.of("piston", "piston"), List.of("submit", "submit"),
        List.of("image", "image"), List.of("piston", "submit"), List.of("piston", "piston"), List.of("submit", "submit"));
      Map<String, String> paths = Map.of("piston", "/api/v2/execute", "submit", "/v1/executions", "image", "/v1/images");
      Map<String, byte[]> bodies = Map.of("piston", piston, "submit", submit, "image", image);
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < waves.size(); i++) {
        List<CompletableFuture<HttpResponse<String>>> wave = new ArrayList<>();
        for (String route : waves.get(i)) {
          wave.add(postAsync(paths.get(route), bodies.get(route)));
        }
        if (i == 1) {
          gateway.victimEchoWithin(2_000);
        }
        CompletableFuture.allOf(wave.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        answers.addAll(wave);
      }
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> a : answers) {
        statuses.add(a.get().statusCode());
      }
      log.info("two 14 MiB bodies at once, six times: statuses {}; longest /health answer of a probe every 20 ms: {} ms"
        + " ({} probes); slowest /health {} ms of {}", statuses, tight.maxMs(), tight.count(), probe.maxMs(), probe.count());
      assertThat(statuses).allSatisfy(s -> assertThat(s).isIn(400, 413));
      assertThat(gateway.log()).doesNotContain("has been blocked");
      // the bound: the probe every 200 ms (the probe every 20 ms is a figure: it shares this JVM with
      // the bodies being sent, and measures that too)
      probe.assertAllWithin(500);
    }
  }

  private CompletableFuture<HttpResponse<String>> postAsync(String path, byte[] body) {
    return http.sendAsync(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(60))
      .header("authorization", "Bearer " + gateway.attackerKey).header("content-type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * {@code GET /health} every 20 ms on fresh connections: the longest answer bounds how long an event
   * loop was held (plus this JVM's own pauses).
   */
  private static final class TightProbe implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;
    private volatile long maxMs;
    private volatile int count;

    TightProbe(URI uri) {
      thread = new Thread(() -> {
        byte[] request = ("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        while (running) {
          long t0 = System.nanoTime();
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getInputStream().readAllBytes();
          } catch (IOException e) {
            // counted as its time
          }
          maxMs = Math.max(maxMs, (System.nanoTime() - t0) / 1_000_000);
          count++;
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "tight-health-probe");
      thread.setDaemon(true);
      thread.start();
    }

    long maxMs() {
      return maxMs;
    }

    int count() {
      return count;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(10_000);
    }
  }
}
