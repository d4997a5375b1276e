package io.execgate.bench;

import io.execgate.it.Attacks;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile soak ({@code bin/soak --hostile [N]}): the runnable jar with two keys, {@code normal}
 * and {@code attacker}. Phase 1: N executions of normal programs from the normal key, 4 at a time,
 * alone. Phase 2: the same N while the attacker runs the availability attacks side by side, each
 * bounded in count and time (see {@link Attacker}). Then the attacker's executions are cancelled,
 * the records (30 s here) and replayable frames (10 s) expire, and the heap is read again.
 * <p>
 * Prints the normal key's p50/p99 without and with the attackers, the normal key's lost results
 * (an answer missing, wrong, or a record that GET does not give back final and the same), the
 * containers of this gateway left once it is idle (warm ones aside) and once it stopped, the heap
 * after GC idle and after the records expired, and what each attack met. Fails (exit 1) on a lost
 * result, a leaked container, or a heap after expiry above {@code 1.5 × idle + 16 MiB}.
 */
final class HostileSoak {

  private static final int RECORD_TTL_SECONDS = 30;
  private static final int STREAM_GRACE_SECONDS = 10;
  private static final int CONCURRENCY = 4;

  /** A normal program, and what its answer must say. */
  private record Normal(JsonObject body, String status, String stdout) {
  }

  private static final List<Normal> NORMAL = List.of(
    new Normal(new JsonObject().put("script", "echo hi"), "succeeded", "hi\n"),
    new Normal(new JsonObject().put("script", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo $i"),
      "succeeded", "20000\n"),
    new Normal(new JsonObject().put("script", "wc -c").put("stdin", "x".repeat(10_000)), "succeeded", "10000\n"),
    new Normal(new JsonObject().put("script", "echo err >&2; exit 3"), "failed", ""));

  private final String attackerKey = randomKey();
  private final String normalKey = randomKey();
  private final String instance = "soak-hostile-" + UUID.randomUUID().toString().substring(0, 6);
  private final int total;

  private HostileSoak(int total) {
    this.total = total;
  }

  static void main(int total) throws Exception {
    System.exit(new HostileSoak(total).run() ? 0 : 1);
  }

  private static String randomKey() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private boolean run() throws Exception {
    Path logs = Files.createDirectories(Path.of("target", "bench"));
    Path config = Files.writeString(logs.resolve("soak-hostile-config.json"), new JsonObject().put("executor",
      new JsonObject().put("recordTtlSeconds", RECORD_TTL_SECONDS).put("streamGraceSeconds", STREAM_GRACE_SECONDS))
      .encode());
    Path log = logs.resolve("soak-hostile.log");
    Map<String, String> env = Map.of("EXECGATE_CONFIG", config.toString(),
      "EXECGATE_API_KEYS", "attacker=" + attackerKey + ",normal=" + normalKey);
    JsonObject out = new JsonObject().put("executionsPerPhase", total).put("concurrency", CONCURRENCY);
    Phase alone;
    Phase attacked;
    JsonObject attacks;
    long heapIdle;
    long heapAfter;
    List<String> leftIdle;
    long t0 = System.nanoTime();
    Path gcLog = logs.resolve("soak-hostile-gc.log");
    Files.deleteIfExists(gcLog);
    try (GatewayProcess gw = new GatewayProcess(instance, env, log, normalKey,
      List.of("-Xlog:gc:file=" + gcLog.toAbsolutePath()))) {
      Thread.sleep(2_000);
      heapIdle = gw.heapUsedAfterGcBytes();
      long rssIdle = gw.rssBytes();
      alone = normalTraffic(gw);
      try (Attacker attacker = new Attacker(gw, attackerKey)) {
        attacker.start();
        attacked = normalTraffic(gw);
        attacks = attacker.stop();
      }
      long heapPeak = gw.heapUsedBytes();
      // every execution ends (the attacker's were cancelled), its container goes, its record expires
      Thread.sleep((Math.max(RECORD_TTL_SECONDS, STREAM_GRACE_SECONDS) + 15) * 1000L);
      leftIdle = containers(false);
      heapAfter = gw.heapUsedAfterGcBytes();
      out.put("rssIdleMiB", mib(rssIdle)).put("rssAfterMiB", mib(gw.rssBytes()))
        .put("heapAtEndOfAttacksMiB", mib(heapPeak));
    }
    // the gateway stopped (SIGTERM): none of its containers may remain
    List<String> leftStopped = containers(true);
    String gatewayLog = Files.readString(log);
    boolean oom = gatewayLog.contains("OutOfMemoryError");
    // Vert.x's blocked-thread checker: an event loop held past its 2 s limit
    long blocked = gatewayLog.lines().filter(l -> l.contains("has been blocked")).count();
    // e.g. "[12.3s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.123ms"
    double gcPauseMaxMs = Files.readAllLines(gcLog).stream().filter(l -> l.contains(" Pause ") && l.endsWith("ms"))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1, l.length() - 2))).max().orElse(0);
    int lost = alone.lost.size() + attacked.lost.size();
    double ratio = attacked.latency.percentile(99) / alone.latency.percentile(99);
    out.put("normalAlone", alone.toJson()).put("normalUnderAttack", attacked.toJson())
      .put("p50Ratio", Math.round(100 * attacked.latency.percentile(50) / alone.latency.percentile(50)) / 100.0)
      .put("p99Ratio", Math.round(100 * ratio) / 100.0)
      .put("lostResults", lost)
      .put("containersLeftIdle", leftIdle.size())
      .put("containersLeftAfterStop", leftStopped.size())
      .put("outOfMemoryErrorInLog", oom)
      .put("blockedThreadWarnings", blocked)
      .put("gcPauseMaxMs", Stats.round(gcPauseMaxMs))
      .put("heapIdleAfterGcMiB", mib(heapIdle))
      .put("heapAfterExpiryAfterGcMiB", mib(heapAfter))
      .put("heapLimitAfterExpiryMiB", mib(heapIdle + heapIdle / 2 + (16L << 20)))
      .put("attacks", attacks)
      .put("seconds", Stats.round((System.nanoTime() - t0) / 1e9));
    System.out.println(out.encodePrettily());
    System.out.printf("normal key, %d executions at concurrency %d: p50 %.1f ms / p99 %.1f ms alone, "
        + "p50 %.1f ms / p99 %.1f ms under attack (p99 x%.2f)%n", total, CONCURRENCY, alone.latency.percentile(50),
      alone.latency.percentile(99), attacked.latency.percentile(50), attacked.latency.percentile(99), ratio);
    alone.lost.stream().limit(10).forEach(p -> System.out.println("lost (alone): " + p));
    attacked.lost.stream().limit(10).forEach(p -> System.out.println("lost (under attack): " + p));
    leftIdle.forEach(c -> System.out.println("left while idle: " + c));
    leftStopped.forEach(c -> System.out.println("left after stop: " + c));
    boolean heapBack = heapAfter < heapIdle * 1.5 + (16L << 20);
    boolean ok = lost == 0 && leftIdle.isEmpty() && leftStopped.isEmpty() && heapBack && !oom;
    System.out.println(ok ? "soak --hostile: OK" : "soak --hostile: FAILED");
    return ok;
  }

  private static double mib(long bytes) {
    return Stats.round(bytes / 1048576.0);
  }

  /**
   * @param all whether warm containers count too (after the stop, every container is a leak)
   * @return the names of this gateway's containers
   */
  private List<String> containers(boolean all) throws Exception {
    Process ps = new ProcessBuilder("docker", "ps", "-a", "--filter", "label=execgate.instance=" + instance,
      "--format", "{{.Names}}").redirectErrorStream(true).start();
    String names = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!ps.waitFor(30, TimeUnit.SECONDS) || ps.exitValue() != 0) {
      throw new IllegalStateException("docker ps: " + names);
    }
    return names.lines().filter(n -> !n.isBlank()).filter(n -> all || !n.startsWith("execgate-warm-")).toList();
  }

  /** The normal key's latencies, and the results it lost. */
  private record Phase(Stats latency, List<String> lost) {

    JsonObject toJson() {
      return latency.toJson().put("lost", lost.size());
    }
  }

  /**
   * N normal executions ({@code wait=true}), {@link #CONCURRENCY} at a time; each answer is checked
   * against what its program must give, and its record read back at once (final, the same status);
   * at the end every record of the phase that has not expired yet is read again.
   */
  private Phase normalTraffic(GatewayProcess gw) throws Exception {
    Stats latency = new Stats();
    ConcurrentLinkedQueue<String> lost = new ConcurrentLinkedQueue<>();
    ConcurrentHashMap<String, String> statuses = new ConcurrentHashMap<>();
    ConcurrentHashMap<String, Long> answeredAt = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < CONCURRENCY; w++) {
        workers.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < total) {
            Normal n = NORMAL.get(i % NORMAL.size());
            long t0 = System.nanoTime();
            try {
              HttpResponse<String> r = gw.post("/v1/executions?wait=true", normalKey, n.body.encode());
              double ms = (System.nanoTime() - t0) / 1e6;
              if (r.statusCode() != 200) {
                latency.error();
                lost.add("#" + i + ": " + r.statusCode() + " " + r.body());
                continue;
              }
              latency.add(ms);
              JsonObject result = new JsonObject(r.body());
              String id = result.getString("id");
              if (!n.status.equals(result.getString("status")) || !n.stdout.equals(result.getString("stdout"))) {
                lost.add(id + ": expected " + n.status + " " + n.stdout.trim() + ", got " + r.body());
              }
              String read = readBack(gw, id, result.getString("status"));
              if (read != null) {
                lost.add(read);
              }
              statuses.put(id, result.getString("status"));
              answeredAt.put(id, System.currentTimeMillis());
            } catch (Exception e) {
              latency.error();
              lost.add("#" + i + ": " + e);
            }
          }
          return null;
        }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
    } finally {
      pool.shutdownNow();
    }
    // read again every record that has not reached its expiry (a few seconds' margin)
    long expiredBefore = System.currentTimeMillis() - (RECORD_TTL_SECONDS - 3) * 1000L;
    for (Map.Entry<String, String> e : statuses.entrySet()) {
      if (answeredAt.get(e.getKey()) < expiredBefore) {
        continue;
      }
      String read = readBack(gw, e.getKey(), e.getValue());
      if (read != null) {
        lost.add(read);
      }
    }
    return new Phase(latency, List.copyOf(lost));
  }

  /**
   * @return what is wrong with the record of {@code id} (missing, or not the final {@code status}), or null
   */
  private String readBack(GatewayProcess gw, String id, String status) throws Exception {
    HttpResponse<String> r = gw.get("/v1/executions/" + id, normalKey);
    if (r.statusCode() != 200) {
      return id + ": GET answered " + r.statusCode() + " " + r.body();
    }
    String read = new JsonObject(r.body()).getString("status");
    return status.equals(read) ? null : id + ": GET says " + read + ", the answer said " + status;
  }

  /**
   * The attacker: the issue's attacks, each on a thread of its own, repeated until {@link #stop()},
   * every round bounded in count and time. What each met is counted by outcome.
   * <ul>
   *   <li>{@code fillSlots}: 14 threads submitting {@code sleep 8} with {@code wait=true} (its share
   *     of the run slots is 12), and once a burst of 40 submits without waiting (its quota is 32);</li>
   *   <li>{@code nonReadingNdjson}, {@code nonReadingWs}: an NDJSON submit and a {@code /v1/ws} run
   *     of a program alternating 1-byte writes to stdout and stderr, whose client never reads, held 12 s;</li>
   *   <li>{@code slowReads}: two {@code wait=true} answers of 2 MiB of {@code \x01} (×6 once escaped)
   *     read at 64 KiB every 50 ms, for at most 20 s;</li>
   *   <li>{@code signalFlood}: 1,500 {@code signal} messages on one socket;</li>
   *   <li>{@code deflateBomb}: a compressed WebSocket frame that inflates to 1 GiB;</li>
   *   <li>{@code slowHeaders}: 10 slowloris connections and 10 half-sent heads;</li>
   *   <li>{@code streamFlood}: SSE watchers of one execution until refused (at most 40);</li>
   *   <li>{@code bigBodies}: two 14 MiB bodies at once on {@code /api/v2/execute}.</li>
   * </ul>
   */
  private static final class Attacker implements AutoCloseable {

    private static final String ALTERNATE = "while :; do printf a; printf b >&2; done";

    private final GatewayProcess gw;
    private final String key;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Future<?>> running = new ArrayList<>();
    private final Map<String, Map<String, AtomicInteger>> outcomes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> maxima = new ConcurrentHashMap<>();
    /** The first message seen of each error code. */
    private final Map<String, String> messages = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> executions = new ConcurrentLinkedQueue<>();
    private volatile boolean attacking = true;
    private final byte[] bomb = Attacks.deflateBomb(1L << 30);
    private final byte[] bigBody;

    Attacker(GatewayProcess gw, String key) {
      this.gw = gw;
      this.key = key;
      // 14 MiB of small JSON values: what costs most to decode
      bigBody = ("{\"language\":\"sh\",\"version\":\"*\",\"files\":[{\"content\":\"echo hi\"}],\"pad\":["
        + "0,".repeat(7 << 20) + "0]}").getBytes(StandardCharsets.UTF_8);
    }

    void start() {
      for (int i = 0; i < 14; i++) {
        loop("fillSlots", this::fillSlot);
      }
      once("quotaBurst", this::quotaBurst);
      loop("nonReadingNdjson", this::nonReadingNdjson);
      loop("nonReadingWs", this::nonReadingWs);
      loop("slowReads", this::slowRead);
      loop("slowReads", this::slowRead);
      loop("signalFlood", this::signalFlood);
      loop("deflateBomb", this::deflateBomb);
      for (int i = 0; i < 10; i++) {
        loop("slowHeaders", () -> slowHeader(true));
        loop("slowHeaders", () -> slowHeader(false));
      }
      loop("streamFlood", this::streamFlood);
      loop("bigBodies", this::bigBodies);
      loop("bigBodies", this::bigBodies);
    }

    private interface Attack {
      void run() throws Exception;
    }

    private void loop(String name, Attack attack) {
      running.add(threads.submit(() -> {
        while (attacking) {
          attempt(name, attack);
        }
      }));
    }

    private void once(String name, Attack attack) {
      running.add(threads.submit(() -> attempt(name, attack)));
    }

    private void attempt(String name, Attack attack) {
      try {
        attack.run();
      } catch (Exception e) {
        count(name, "client error " + e.getClass().getSimpleName());
        pause(500);
      }
    }

    private void count(String attack, String outcome) {
      outcomes.computeIfAbsent(attack, a -> new ConcurrentHashMap<>())
        .computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
    }

    private void max(String name, long value) {
      maxima.computeIfAbsent(name, n -> new AtomicLong(Long.MIN_VALUE)).accumulateAndGet(value, Math::max);
    }

    private static void pause(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * @return the outcome of a refusal: its status and error code
     */
    private String refusal(int status, String body) {
      try {
        JsonObject error = new JsonObject(body).getJsonObject("error");
        messages.putIfAbsent(error.getString("code"), error.getString("message"));
        return status + " " + error.getString("code");
      } catch (RuntimeException e) {
        return String.valueOf(status);
      }
    }

    private void fillSlot() throws Exception {
      HttpResponse<String> r = gw.post("/v1/executions?wait=true", key, new JsonObject().put("script", "sleep 8")
        .put("limits", new JsonObject().put("timeoutMs", 15_000)).encode());
      if (r.statusCode() == 200) {
        JsonObject result = new JsonObject(r.body());
        executions.add(result.getString("id"));
        count("fillSlots", result.getString("status"));
      } else {
        count("fillSlots", refusal(r.statusCode(), r.body()));
        pause(500);
      }
    }

    private void quotaBurst() throws Exception {
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        burst.add(gw.http().sendAsync(gw.request("/v1/executions", key).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"script\":\"sleep 2\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : burst) {
        HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
        if (r.statusCode() == 202) {
          executions.add(new JsonObject(r.body()).getString("id"));
          count("quotaBurst", "202 admitted");
        } else {
          count("quotaBurst", refusal(r.statusCode(), r.body()));
        }
      }
    }

    /**
     * @return the status line's code of a raw answer whose head was read, and its error code when
     *   refused (the body, by its Content-Length, is read for it)
     */
    private String answer(String head, InputStream in) throws IOException {
      String[] status = head.lines().findFirst().orElse("closed").split(" ");
      if (status.length < 2 || status[1].equals("101") || status[1].equals("200")) {
        return status.length < 2 ? "closed" : status[1];
      }
      int length = head.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
        .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
      return refusal(Integer.parseInt(status[1]), new String(in.readNBytes(Math.min(length, 4096)), StandardCharsets.UTF_8));
    }

    /**
     * @return a socket to the gateway that reads little: a small receive buffer, and nobody reading it
     */
    private Socket stubbornSocket() throws IOException {
      Socket s = new Socket();
      s.setReceiveBufferSize(4096);
      s.connect(new InetSocketAddress("127.0.0.1", gw.port), 5_000);
      return s;
    }

    private void nonReadingNdjson() throws Exception {
      byte[] body = new JsonObject().put("script", ALTERNATE).put("limits", new JsonObject().put("timeoutMs", 10_000))
        .encode().getBytes(StandardCharsets.UTF_8);
      try (Socket s = stubbornSocket()) {
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/executions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nAccept: application/x-ndjson\r\nContent-Length: " + body.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        s.setSoTimeout(5_000);
        // the head only, then nothing more is read
        String outcome = answer(Attacks.readHead(s.getInputStream()), s.getInputStream());
        count("nonReadingNdjson", outcome);
        pause(outcome.equals("200") ? 12_000 : 1_000);
      }
    }

    private void nonReadingWs() throws Exception {
      try (Socket s = stubbornSocket()) {
        OutputStream out = s.getOutputStream();
        out.write(Attacks.upgrade("/v1/ws", key, null));
        out.flush();
        s.setSoTimeout(5_000);
        String head = Attacks.readHead(s.getInputStream());
        count("nonReadingWs", answer(head, s.getInputStream()));
        if (head.startsWith("HTTP/1.1 101")) {
          out.write(Attacks.textFrame(new JsonObject().put("type", "run").put("script", ALTERNATE)
            .put("limits", new JsonObject().put("timeoutMs", 10_000)).encode()));
          out.flush();
          pause(12_000);
        } else {
          pause(1_000);
        }
      }
    }

    private void slowRead() throws Exception {
      byte[] body = new JsonObject().put("script", "head -c 2097152 /dev/zero | tr '\\0' '\\1'")
        .put("limits", new JsonObject().put("outputBytes", 2 << 20).put("timeoutMs", 10_000))
        .encode().getBytes(StandardCharsets.UTF_8);
      try (Socket s = stubbornSocket()) {
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/executions?wait=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        String head = Attacks.readHead(in);
        long t0 = System.nanoTime();
        long read = 0;
        byte[] buf = new byte[64 << 10];
        int n = 0;
        while ((System.nanoTime() - t0) < 20_000_000_000L && (n = in.readNBytes(buf, 0, buf.length)) > 0) {
          read += n;
          pause(50);
        }
        count("slowReads", n <= 0 ? "200, read whole" : "200, cut by the client after 20 s");
        if (!head.startsWith("HTTP/1.1 200")) {
          count("slowReads", answer(head, in));
          pause(1_000);
          return;
        }
        max("slowReadsMaxBytes", read);
      }
    }

    private void signalFlood() throws Exception {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", gw.port), 5_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(Attacks.upgrade("/v1/ws", key, null));
        out.flush();
        s.setSoTimeout(30_000);
        String head = Attacks.readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
          count("signalFlood", answer(head, in));
          pause(1_000);
          return;
        }
        out.write(Attacks.textFrame(new JsonObject().put("type", "run").put("script", "trap '' USR1; echo ready; sleep 15")
          .put("limits", new JsonObject().put("timeoutMs", 20_000)).encode()));
        out.flush();
        // the flood starts once the program runs (before, its signals are refused: not running)
        CompletableFuture<Void> running = new CompletableFuture<>();
        byte[] signal = Attacks.textFrame("{\"type\":\"signal\",\"signal\":\"SIGUSR1\"}");
        // the gateway's answers are read meanwhile (its error frames counted), so that only the messages press on it
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        CompletableFuture<Integer> close = CompletableFuture.supplyAsync(() -> {
          try {
            return Attacks.readFrames(in, text -> {
              JsonObject frame = new JsonObject(text);
              if ("error".equals(frame.getString("type"))) {
                errors.merge(frame.getString("code"), 1, Integer::sum);
                messages.putIfAbsent(frame.getString("code"), frame.getString("message"));
                running.completeExceptionally(new IllegalStateException(frame.getString("code")));
              } else if (text.contains("ready")) {
                running.complete(null);
              }
            });
          } catch (IOException e) {
            return -1;
          }
        }, threads);
        try {
          running.get(40, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException notYet) {
          count("signalFlood", "not running within 40 s");
          return;
        } catch (java.util.concurrent.ExecutionException refused) {
          count("signalFlood", "run refused: " + refused.getCause().getMessage());
          pause(1_000);
          return;
        }
        int sent = 0;
        try {
          for (; sent < 1_500; sent++) {
            out.write(signal);
          }
          out.flush();
        } catch (IOException closed) {
          // the gateway closed the socket
        }
        int code;
        try {
          code = close.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stillOpen) {
          code = 0;
        }
        count("signalFlood", sent + " sent, error frames " + new TreeMap<>(errors) + ", close code " + code);
      }
    }

    private void deflateBomb() throws Exception {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", gw.port), 5_000);
        s.setSoTimeout(15_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(Attacks.upgrade("/v1/ws", key, "permessage-deflate; client_max_window_bits"));
        out.flush();
        String head = Attacks.readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
          count("deflateBomb", answer(head, in));
          pause(1_000);
          return;
        }
        boolean agreed = head.toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-extensions");
        long t0 = System.nanoTime();
        int code = Attacks.sendCompressed(out, in, bomb);
        max("deflateBombClosedAfterMaxMs", (System.nanoTime() - t0) / 1_000_000);
        count("deflateBomb", (agreed ? "compression agreed" : "compression refused") + ", close code " + code);
      }
      pause(2_000);
    }

    private void slowHeader(boolean drip) throws Exception {
      byte[] head = drip ? "POST /v1/executions HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)
        : ("GET /v1/runtimes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      long ms = Attacks.hold("127.0.0.1", gw.port, head, drip ? 1_000 : 0, 20_000);
      count("slowHeaders", ms < 0 ? "still open after 20 s" : "cut");
      max("slowHeadersCutAfterMaxMs", ms);
    }

    private void streamFlood() throws Exception {
      HttpResponse<String> submitted = gw.post("/v1/executions", key, new JsonObject().put("script", "sleep 10")
        .put("limits", new JsonObject().put("timeoutMs", 15_000)).encode());
      if (submitted.statusCode() != 202) {
        count("streamFlood", "submit " + refusal(submitted.statusCode(), submitted.body()));
        pause(1_000);
        return;
      }
      String id = new JsonObject(submitted.body()).getString("id");
      executions.add(id);
      List<InputStream> open = new ArrayList<>();
      try {
        for (int i = 0; i < 40; i++) {
          HttpResponse<InputStream> r = gw.http().send(gw.request("/v1/executions/" + id + "/events", key).build(),
            HttpResponse.BodyHandlers.ofInputStream());
          if (r.statusCode() != 200) {
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            count("streamFlood", "refused after " + open.size() + " watchers: " + refusal(r.statusCode(), body));
            break;
          }
          open.add(r.body());
          if (i == 39) {
            count("streamFlood", "40 watchers, none refused");
          }
        }
        pause(5_000);
      } finally {
        for (InputStream in : open) {
          in.close();
        }
      }
    }

    private void bigBodies() throws Exception {
      HttpResponse<String> r = gw.http().send(gw.request("/api/v2/execute", key).header("content-type",
        "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(bigBody)).build(),
        HttpResponse.BodyHandlers.ofString());
      count("bigBodies", refusal(r.statusCode(), r.body()));
      pause(2_000);
    }

    /**
     * Stops attacking, waits for the rounds under way (each bounded: 40 s at most), cancels what the
     * attacker still has running or queued.
     *
     * @return each attack's outcomes, by count
     */
    JsonObject stop() throws Exception {
      attacking = false;
      for (Future<?> f : running) {
        try {
          f.get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          count("harness", "a round still running after 90 s");
        }
      }
      for (String id : executions) {
        gw.http().send(gw.request("/v1/executions/" + id, key).DELETE().build(), HttpResponse.BodyHandlers.discarding());
      }
      JsonObject json = new JsonObject();
      new TreeMap<>(outcomes).forEach((attack, byOutcome) -> {
        JsonObject o = new JsonObject();
        new TreeMap<>(byOutcome).forEach((outcome, n) -> o.put(outcome, n.get()));
        json.put(attack, o);
      });
      new TreeMap<>(maxima).forEach((name, v) -> json.put(name, v.get()));
      json.put("messages", new JsonObject(new java.util.LinkedHashMap<>(new TreeMap<>(messages))));
      return json;
    }

    @Override
    public void close() {
      attacking = false;
      threads.shutdownNow();
    }
  }
}
