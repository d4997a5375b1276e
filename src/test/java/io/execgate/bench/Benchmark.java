package io.execgate.bench;

import io.execgate.docker.RawDockerSequence;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * execgate's benchmark harness ({@code bin/bench}). Measures, in one run on one machine, execgate
 * (the real jar, warm pool on and off) side by side with the raw Docker Engine API sequence through
 * docker-java and with {@code docker run --rm}, and prints a table and JSON.
 * <p>
 * Arguments: {@code --quick} (small sample sizes), {@code --only=1,2,5} (scenarios; 6, a cluster of one
 * gateway and one or two workers on this machine, runs only when named; 7, test cases per second judged in
 * one container against one-shot executions), {@code --soak=N} (executions for the RSS scenario, default 2000).
 * Scenario 8 times {@code echo hi} in an existing session against one-shot warm executions and raw engine execs
 * in a running sandbox (its floor) of the same run, and reads an idle session's memory for sessions per GiB.
 * Scenario 9 starts a gateway of its own as {@code bin/execgate} does and reads its CPU per warm execution and
 * per idle second (fresh, just after the executions and minutes later) from /proc, by thread, its RSS and heap
 * after GC, and profiles a last pass with JFR ({@link CpuBench}).
 */
public final class Benchmark {

  static final String IMAGE = "execgate/busybox:1.35";
  static final String ECHO = "{\"script\":\"echo hi\"}";

  private final boolean quick;
  private final Set<Integer> only;
  private final int soak;
  private final JsonObject results = new JsonObject();
  private final List<String> table = new ArrayList<>();
  private final Path logDir;

  private Benchmark(boolean quick, Set<Integer> only, int soak) throws Exception {
    this.quick = quick;
    this.only = only;
    this.soak = soak;
    this.logDir = Files.createDirectories(Path.of("target", "bench"));
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Set<Integer> only = new TreeSet<>(List.of(1, 2, 3, 4, 5, 7, 9));
    int soak = 2000;
    for (String arg : args) {
      if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.startsWith("--only=")) {
        only.clear();
        for (String n : arg.substring(7).split(",")) {
          only.add(Integer.parseInt(n.trim()));
        }
      } else if (arg.startsWith("--soak=")) {
        soak = Integer.parseInt(arg.substring(7));
      } else {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    new Benchmark(quick, only, soak).run();
    System.exit(0);
  }

  private GatewayProcess gateway(String name, boolean pool) throws Exception {
    String id = "bench-" + name + "-" + UUID.randomUUID().toString().substring(0, 6);
    return new GatewayProcess(id, Map.of(
      "EXECGATE_CONFIG", writeConfig(pool).toString()), logDir.resolve(name + ".log"));
  }

  private Path writeConfig(boolean pool) throws Exception {
    JsonObject config = new JsonObject(Files.readString(Path.of("conf/config.json")));
    config.getJsonObject("executor").getJsonObject("pool").put("enabled", pool);
    // the watchers benchmark opens 1,000 streams at once, beyond the node's default bound
    config.getJsonObject("http").put("maxStreams", 2_048);
    // the streaming scenario sends 50 MB through one execution: above the default maximum per stream
    config.getJsonObject("executor").getJsonObject("maxLimits").put("outputBytes", 64L << 20);
    Path file = logDir.resolve("config-" + (pool ? "warm" : "cold") + ".json");
    Files.writeString(file, config.encodePrettily());
    return file;
  }

  private void run() throws Exception {
    results.put("date", Instant.now().toString())
      .put("machine", machine())
      .put("quick", quick);
    if (only.contains(6)) {
      // first, on an engine that no other gateway of this run keeps busy
      results.put("scaleOut", new ClusterBench(logDir, quick ? 40 : 200, table).run());
    }
    if (only.contains(9)) {
      // on a gateway of its own, started as bin/execgate starts it, before the others load the engine
      String id = "bench-cpu-" + UUID.randomUUID().toString().substring(0, 6);
      try (GatewayProcess launched = GatewayProcess.launched(id, Map.of(), logDir.resolve("cpu.log"))) {
        results.put("cpu", new CpuBench(launched, logDir).run(quick, table));
      }
    }
    if (only.stream().allMatch(n -> n == 6 || n == 9)) {
      report();
      return;
    }
    try (RawDockerSequence raw = new RawDockerSequence();
         GatewayProcess warm = gateway("warm", true);
         GatewayProcess cold = gateway("cold", false)) {
      if (only.contains(1)) {
        sequential(warm, cold, raw);
      }
      if (only.contains(2)) {
        throughput(warm, cold, raw);
      }
      if (only.contains(3)) {
        streaming(warm, raw);
      }
      if (only.contains(4)) {
        watchers(warm);
      }
      if (only.contains(5)) {
        memory(warm);
      }
      if (only.contains(7)) {
        results.put("judge", JudgeBench.run(warm, quick, table));
      }
      if (only.contains(8)) {
        sessions(warm, raw);
      }
    }
    report();
  }

  private void report() throws Exception {
    String json = results.encodePrettily();
    Path out = Path.of("bench-results");
    Files.createDirectories(out);
    Path file = out.resolve("bench-" + Instant.now().toString().replace(':', '-') + ".json");
    Files.writeString(file, json);
    System.out.println();
    table.forEach(System.out::println);
    System.out.println();
    System.out.println(json);
    System.out.println("written to " + file);
  }

  private static JsonObject machine() throws Exception {
    String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
      .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    Process p = new ProcessBuilder("docker", "version", "--format", "{{.Server.Version}}").start();
    String docker = new String(p.getInputStream().readAllBytes()).trim();
    return new JsonObject()
      .put("cpus", Runtime.getRuntime().availableProcessors())
      .put("cpu", cpu)
      .put("docker", docker)
      .put("java", System.getProperty("java.version"));
  }

  // 1. sequential echo hi latency

  private void sequential(GatewayProcess warm, GatewayProcess cold, RawDockerSequence raw) throws Exception {
    int n = quick ? 15 : 50;
    Stats warmStats = new Stats();
    for (int i = 0; i < n; i++) {
      awaitPoolFull(warm);
      time(warmStats, () -> execgate(warm));
    }
    Stats coldStats = new Stats();
    for (int i = 0; i < n; i++) {
      time(coldStats, () -> execgate(cold));
    }
    Stats rawStats = new Stats();
    for (int i = 0; i < n; i++) {
      time(rawStats, () -> check(raw.run(IMAGE, "echo hi", "seq")));
    }
    Stats cliStats = new Stats();
    for (int i = 0; i < Math.min(n, 30); i++) {
      time(cliStats, Benchmark::dockerRun);
    }
    JsonObject s = new JsonObject()
      .put("execgateWarm", warmStats.toJson())
      .put("execgateCold", coldStats.toJson())
      .put("rawSequence", rawStats.toJson())
      .put("dockerRunRm", cliStats.toJson())
      .put("warmOverRaw", Stats.round(100 * warmStats.percentile(50) / rawStats.percentile(50)) / 100)
      .put("coldOverRaw", Stats.round(100 * coldStats.percentile(50) / rawStats.percentile(50)) / 100);
    results.put("sequentialEchoHi", s);
    table.add("1. sequential `echo hi`, end to end (ms)");
    table.add(String.format("   %-26s %8s %8s %8s %6s", "", "p50", "p95", "p99", "n"));
    row("execgate warm (HTTP)", warmStats);
    row("execgate cold (HTTP)", coldStats);
    row("raw docker-java sequence", rawStats);
    row("docker run --rm", cliStats);
    table.add(String.format("   warm/raw p50 = %.2f, cold/raw p50 = %.2f", s.getDouble("warmOverRaw"),
      s.getDouble("coldOverRaw")));
  }

  // 7. an execution in an existing session, against one-shot warm executions of the same run

  private void sessions(GatewayProcess warm, RawDockerSequence raw) throws Exception {
    int n = quick ? 15 : 50;
    Stats oneShot = new Stats();
    for (int i = 0; i < n; i++) {
      awaitPoolFull(warm);
      time(oneShot, () -> execgate(warm));
    }
    HttpResponse<String> created = warm.post("/v1/sessions", "{\"language\":\"sh\"}");
    if (created.statusCode() != 201) {
      throw new IllegalStateException("session not created: " + created.statusCode() + " " + created.body());
    }
    JsonObject session = new JsonObject(created.body());
    String path = "/v1/sessions/" + session.getString("id");
    Stats inSession = new Stats();
    for (int i = 0; i < n; i++) {
      time(inSession, () -> {
        HttpResponse<String> r = warm.post(path + "/executions?wait=true", ECHO);
        if (r.statusCode() != 200 || !"hi\n".equals(new JsonObject(r.body()).getString("stdout"))) {
          throw new IllegalStateException("unexpected answer " + r.statusCode() + " " + r.body());
        }
      });
    }
    // what the idle session's cgroup holds (its PID 1, its tmpfs, the page cache), read from inside it
    HttpResponse<String> mem = warm.post(path + "/executions?wait=true", new JsonObject().put("script",
      "cat /sys/fs/cgroup/memory/memory.usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.current").encode());
    long used = Long.parseLong(new JsonObject(mem.body()).getString("stdout").strip());
    long limitMb = session.getJsonObject("limits").getLong("memoryMb");
    warm.delete(path);
    // the floor: an execution in a session is an engine exec in its running sandbox
    Stats rawExec = new Stats();
    for (double ms : raw.execInRunning(IMAGE, "echo hi", n, "exec")) {
      rawExec.add(ms);
    }
    JsonObject s = new JsonObject()
      .put("oneShotWarm", oneShot.toJson())
      .put("inSession", inSession.toJson())
      .put("rawExec", rawExec.toJson())
      .put("sessionOverWarm", Stats.round(100 * inSession.percentile(50) / oneShot.percentile(50)) / 100)
      .put("sessionOverRawExec", Stats.round(100 * inSession.percentile(50) / rawExec.percentile(50)) / 100)
      .put("idleSessionMemoryBytes", used)
      .put("memoryLimitMb", limitMb)
      .put("sessionsPerGiBAtLimit", 1024 / limitMb)
      .put("sessionsPerGiBMeasured", (1L << 30) / Math.max(1, used));
    results.put("sessions", s);
    table.add("7. `echo hi` in an existing session vs one-shot warm, end to end (ms)");
    table.add(String.format("   %-26s %8s %8s %8s %6s", "", "p50", "p95", "p99", "n"));
    row("one-shot warm (HTTP)", oneShot);
    row("in a session (HTTP)", inSession);
    row("raw engine exec (docker-java)", rawExec);
    table.add(String.format("   session/raw exec p50 = %.2f", s.getDouble("sessionOverRawExec")));
    table.add(String.format("   session/warm p50 = %.2f; idle session cgroup memory %d KiB: %d sessions per GiB "
        + "measured, %d at the %d MiB limit", s.getDouble("sessionOverWarm"), used >> 10,
      s.getLong("sessionsPerGiBMeasured"), s.getLong("sessionsPerGiBAtLimit"), limitMb));
  }

  private void row(String name, Stats stats) {
    table.add(String.format("   %-26s %8.1f %8.1f %8.1f %6d%s", name, stats.percentile(50), stats.percentile(95),
      stats.percentile(99), stats.count(), stats.errors() > 0 ? "  errors=" + stats.errors() : ""));
  }

  private static void awaitPoolFull(GatewayProcess gw) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject pool = new JsonObject(gw.get("/v1/runtimes").body()).getJsonArray("runtimes").getJsonObject(0)
        .getJsonObject("pool");
      if (pool != null && pool.getInteger("ready") >= pool.getInteger("target")) {
        return;
      }
      Thread.sleep(20);
    }
  }

  static void execgate(GatewayProcess gw) throws Exception {
    HttpResponse<String> r = gw.post("/v1/executions?wait=true", ECHO);
    JsonObject body = new JsonObject(r.body());
    if (r.statusCode() != 200 || !"hi\n".equals(body.getString("stdout"))) {
      throw new IllegalStateException("unexpected answer " + r.statusCode() + " " + r.body());
    }
  }

  private static void check(String stdout) {
    if (!"hi\n".equals(stdout)) {
      throw new IllegalStateException("unexpected output " + stdout);
    }
  }

  private static void dockerRun() throws Exception {
    Process p = new ProcessBuilder("docker", "run", "--rm", "--network", "none", "--read-only", "--tmpfs",
      "/tmp:rw,nosuid,nodev,noexec,size=64m,uid=1000,gid=1000", "--cap-drop", "ALL", "--security-opt",
      "no-new-privileges", "--user", "1000:1000", "--memory", "256m", "--memory-swap", "256m", "--cpus", "1",
      "--pids-limit", "128", "--init", "--log-driver", "none", IMAGE, "sh", "-c", "echo hi")
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("docker run failed: " + out);
    }
    check(out);
  }

  interface Task {
    void run() throws Exception;
  }

  private static void time(Stats stats, Task task) {
    long t0 = System.nanoTime();
    try {
      task.run();
      stats.add((System.nanoTime() - t0) / 1e6);
    } catch (Exception e) {
      stats.error();
      System.err.println("error: " + e.getMessage());
    }
  }

  // 2. throughput at concurrency 1, 4, 16

  private void throughput(GatewayProcess warm, GatewayProcess cold, RawDockerSequence raw) throws Exception {
    int total = quick ? 40 : 200;
    JsonArray rows = new JsonArray();
    table.add("");
    table.add("2. throughput, " + total + " x `echo hi` per cell: executions/s (p50 / p99 latency ms, errors)");
    table.add(String.format("   %-12s %-28s %-28s %-28s", "concurrency", "execgate warm", "execgate cold",
      "raw docker-java sequence"));
    for (int c : new int[]{1, 4, 16}) {
      JsonObject w = load(total, c, () -> execgate(warm));
      JsonObject k = load(total, c, () -> execgate(cold));
      JsonObject r = load(total, c, () -> check(raw.run(IMAGE, "echo hi", "load")));
      rows.add(new JsonObject().put("concurrency", c).put("execgateWarm", w).put("execgateCold", k)
        .put("rawSequence", r)
        .put("warmOverRaw", Stats.round(100 * w.getDouble("perSecond") / r.getDouble("perSecond")) / 100)
        .put("coldOverRaw", Stats.round(100 * k.getDouble("perSecond") / r.getDouble("perSecond")) / 100));
      table.add(String.format("   %-12d %-28s %-28s %-28s", c, cell(w), cell(k), cell(r)));
    }
    results.put("throughput", rows);
  }

  private static String cell(JsonObject o) {
    return String.format("%.2f/s (%.0f / %.0f, %d)", o.getDouble("perSecond"), o.getDouble("p50"),
      o.getDouble("p99"), o.getInteger("errors"));
  }

  static JsonObject load(int total, int concurrency, Task task) throws Exception {
    Stats stats = new Stats();
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    List<Future<?>> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      workers.add(pool.submit(() -> {
        while (next.getAndIncrement() < total) {
          time(stats, task);
        }
      }));
    }
    for (Future<?> w : workers) {
      w.get();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    // executions that failed are not throughput
    return stats.toJson().put("seconds", Stats.round(seconds))
      .put("perSecond", Stats.round(100 * stats.count() / seconds) / 100);
  }

  // 3. stdout streaming throughput to a WebSocket client vs raw attach

  private void streaming(GatewayProcess warm, RawDockerSequence raw) throws Exception {
    long bytes = quick ? 10_000_000 : 50_000_000;
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, List<JsonObject>> runs = new LinkedHashMap<>();
      for (String mode : List.of("webSocketJson", "webSocketBinary", "rawEndpoint", "rawAttach")) {
        runs.put(mode, new ArrayList<>());
      }
      // interleaved, so that a neighbour's load falls on every mode alike
      for (int i = 0; i < 3; i++) {
        runs.get("webSocketJson").add(StreamingBench.execgate(vertx, warm, bytes, false));
        runs.get("webSocketBinary").add(StreamingBench.execgate(vertx, warm, bytes, true));
        runs.get("rawEndpoint").add(StreamingBench.rawEndpoint(warm, bytes));
        runs.get("rawAttach").add(StreamingBench.raw(raw, bytes));
      }
      double rawMbs = median(runs.get("rawAttach").stream().map(o -> o.getDouble("mbPerSecond")).toList());
      JsonObject s = new JsonObject().put("bytes", bytes);
      table.add("");
      table.add(String.format("3. streaming %d MB of stdout, first to last byte, medians of 3 (MB/s, ratio to raw attach)",
        bytes / 1_000_000));
      for (Map.Entry<String, List<JsonObject>> e : runs.entrySet()) {
        double mbs = median(e.getValue().stream().map(o -> o.getDouble("mbPerSecond")).toList());
        s.put(e.getKey(), new JsonObject().put("runs", new JsonArray(e.getValue())).put("medianMBps", mbs)
          .put("overRawAttach", Stats.round(100 * mbs / rawMbs) / 100));
        table.add(String.format("   %-34s %8.1f MB/s %6.2f", switch (e.getKey()) {
          case "webSocketJson" -> "execgate /v1/ws, JSON frames";
          case "webSocketBinary" -> "execgate /v1/ws, execgate.binary.v1";
          case "rawEndpoint" -> "execgate GET /v1/executions/{id}/stdout";
          default -> "raw docker attach (docker-java)";
        }, mbs, mbs / rawMbs));
      }
      results.put("streaming", s);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    java.util.Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  // 4. many WebSocket watchers over running executions

  private void watchers(GatewayProcess warm) throws Exception {
    int watchers = quick ? 200 : 1000;
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject w = StreamingBench.watchers(vertx, warm, 10, watchers, 100);
      results.put("watchers", w);
      JsonObject d = w.getJsonObject("deliveryMs");
      table.add("");
      table.add(String.format("4. %d WebSocket watchers over 10 executions: delivery p50 %.1f / p99 %.1f ms over %d frames,"
          + " %d incomplete or out of order; gateway heap peak %.0f MiB (%.0f after GC), RSS peak %.0f MiB", watchers,
        d.getDouble("p50"), d.getDouble("p99"), w.getInteger("framesMeasured"), w.getLong("incompleteOrOutOfOrder"),
        w.getDouble("gatewayHeapPeakMiB"), w.getDouble("gatewayHeapAfterGcMiB"), w.getDouble("gatewayRssPeakMiB")));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  // 5. gateway memory idle and after many executions

  private void memory(GatewayProcess warm) throws Exception {
    Thread.sleep(2_000);
    long rssIdle = warm.rssBytes();
    long heapIdle = warm.heapUsedAfterGcBytes();
    int n = quick ? Math.min(soak, 200) : soak;
    long t0 = System.nanoTime();
    JsonObject soakLoad = load(n, 16, () -> execgate(warm));
    double seconds = (System.nanoTime() - t0) / 1e9;
    Thread.sleep(2_000);
    long rssAfter = warm.rssBytes();
    long heapAfter = warm.heapUsedAfterGcBytes();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("executions", n);
    m.put("seconds", Stats.round(seconds));
    m.put("errors", soakLoad.getInteger("errors"));
    m.put("rssIdleMiB", Stats.round(rssIdle / 1048576.0));
    m.put("rssAfterMiB", Stats.round(rssAfter / 1048576.0));
    m.put("heapIdleAfterGcMiB", Stats.round(heapIdle / 1048576.0));
    m.put("heapAfterAfterGcMiB", Stats.round(heapAfter / 1048576.0));
    results.put("memory", new JsonObject(m));
    table.add("");
    table.add(String.format("5. gateway memory: RSS idle %.1f MiB, after %d executions %.1f MiB; heap after GC %.1f -> %.1f MiB"
        + " (%d errors, %.0f s)", rssIdle / 1048576.0, n, rssAfter / 1048576.0, heapIdle / 1048576.0,
      heapAfter / 1048576.0, soakLoad.getInteger("errors"), seconds));
  }
}
