package io.execgate.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 6: throughput of a cluster on this machine. The same `echo hi` load through a single
 * node, through a gateway with one worker and through a gateway with two workers, every worker
 * configured like the single node (its slots, its warm pool) and all of them driving this machine's
 * one Docker engine. Each node is the real jar in its own JVM, joined on loopback.
 */
final class ClusterBench {

  private static final Pattern METRIC = Pattern.compile("(?m)^(execgate_cluster_[a-z_]+) ([0-9.eE+-]+)$");

  private final Path logDir;
  private final int total;
  private final List<String> table;

  ClusterBench(Path logDir, int total, List<String> table) {
    this.logDir = logDir;
    this.total = total;
    this.table = table;
  }

  JsonObject run() throws Exception {
    JsonArray rows = new JsonArray();
    table.add("");
    table.add("6. scale out on ONE machine and ONE engine, " + total + " x `echo hi` per cell, warm pools on: "
      + "executions/s (p50 / p99 latency ms, errors)");
    table.add(String.format("   %-24s %-28s %-28s %-22s %s", "setup", "concurrency 16", "concurrency 32",
      "view age ms (mean/max)", "CPU ms/execution at 16: gateway node / workers"));
    for (int workers = 0; workers <= 2; workers++) {
      rows.add(setup(workers));
    }
    double one = rows.getJsonObject(1).getJsonObject("c32").getDouble("perSecond");
    double two = rows.getJsonObject(2).getJsonObject("c32").getDouble("perSecond");
    table.add(String.format("   two workers / one worker at concurrency 32: %.2f (one engine bounds both; "
      + "see docs/operations.md, Scaling out)", two / one));
    return new JsonObject().put("setups", rows).put("twoOverOneWorkerC32", Stats.round(100 * two / one) / 100);
  }

  /**
   * @param workers 0 for a single node (no cluster), else a gateway with that many workers
   */
  private JsonObject setup(int workers) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 6);
    String name = workers == 0 ? "single node" : "gateway + " + workers + " worker" + (workers > 1 ? "s" : "");
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i <= workers; i++) {
      ports.add(freePort());
    }
    List<Process> processes = new ArrayList<>();
    try {
      for (int i = 1; i <= workers; i++) {
        processes.add(start("worker", "bench-" + run + "-w" + i, ports, i));
      }
      try (GatewayProcess gw = new GatewayProcess("bench-" + run + "-gw", Map.of("EXECGATE_CONFIG",
        config(workers == 0 ? null : "gateway", "bench-" + run + "-gw", ports, 0).toString()),
        logDir.resolve("cluster-" + run + "-gw.log"))) {
        awaitWorkers(gw, workers);
        // warm up the JITs and let the pools fill
        Benchmark.load(40, 8, () -> Benchmark.execgate(gw));
        Thread.sleep(3_000);
        long[] before = cpuTicks(gw.pid(), processes);
        JsonObject c16 = Benchmark.load(total, 16, () -> Benchmark.execgate(gw));
        long[] after = cpuTicks(gw.pid(), processes);
        // CPU per execution by role: the gateway node (dispatch and relay only, in a cluster), the workers'
        double gatewayMs = 10.0 * (after[0] - before[0]) / total;
        double workersMs = 10.0 * (after[1] - before[1]) / total;
        Thread.sleep(3_000);
        JsonObject c32 = Benchmark.load(total, 32, () -> Benchmark.execgate(gw));
        JsonObject view = viewAge(gw);
        table.add(String.format("   %-24s %-28s %-28s %-22s %s", name, cell(c16), cell(c32),
          view.isEmpty() ? "-" : String.format("%.1f / %.1f", view.getDouble("meanMs"), view.getDouble("maxMs")),
          workers == 0 ? String.format("%.1f (all roles)", gatewayMs)
            : String.format("%.1f / %.1f", gatewayMs, workersMs)));
        return new JsonObject().put("setup", name).put("workers", workers).put("c16", c16).put("c32", c32)
          .put("viewAge", view)
          .put("cpuMsPerExecution", new JsonObject().put("gatewayNode", Stats.round(gatewayMs))
            .put("workerNodes", Stats.round(workersMs)));
      }
    } finally {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /**
   * @return the gateway process's CPU ticks, and the sum of the worker processes'
   */
  private static long[] cpuTicks(long gateway, List<Process> workers) throws IOException {
    long sum = 0;
    for (Process p : workers) {
      sum += CpuBench.ticks(Path.of("/proc/" + p.pid() + "/stat"));
    }
    return new long[] {CpuBench.ticks(Path.of("/proc/" + gateway + "/stat")), sum};
  }

  private static String cell(JsonObject o) {
    return String.format("%.2f/s (%.0f / %.0f, %d)", o.getDouble("perSecond"), o.getDouble("p50"), o.getDouble("p99"),
      o.getInteger("errors"));
  }

  private Process start(String role, String instance, List<Integer> ports, int index) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-jar", "target/execgate.jar")
      .redirectErrorStream(true).redirectOutput(logDir.resolve("cluster-" + instance + ".log").toFile());
    pb.environment().put("EXECGATE_CONFIG", config(role, instance, ports, index).toString());
    return pb.start();
  }

  /**
   * @param role null for a single node
   */
  private Path config(String role, String instance, List<Integer> ports, int index) throws Exception {
    JsonObject c = new JsonObject(Files.readString(Path.of("conf/config.json")));
    c.put("instanceId", instance);
    if (role != null) {
      JsonArray members = new JsonArray();
      ports.forEach(p -> members.add("127.0.0.1:" + p));
      c.getJsonObject("cluster").put("enabled", true).put("role", role).put("name", "bench-" + instance.split("-")[1])
        .put("members", members).put("port", ports.get(index)).put("portCount", 1);
    }
    Path file = logDir.resolve("config-" + instance + ".json");
    Files.writeString(file, c.encodePrettily());
    return file;
  }

  private static void awaitWorkers(GatewayProcess gw, int workers) throws Exception {
    if (workers == 0) {
      return;
    }
    long deadline = System.currentTimeMillis() + 180_000;
    while (System.currentTimeMillis() < deadline) {
      Double n = metrics(gw).getDouble("execgate_cluster_workers");
      if (n != null && n.intValue() == workers) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the gateway does not see " + workers + " workers");
  }

  private static JsonObject metrics(GatewayProcess gw) throws Exception {
    JsonObject out = new JsonObject();
    Matcher m = METRIC.matcher(gw.get("/metrics").body());
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  /**
   * @return how old the worker adverts were when the gateway dispatched by them
   */
  private static JsonObject viewAge(GatewayProcess gw) throws Exception {
    JsonObject m = metrics(gw);
    Double count = m.getDouble("execgate_cluster_view_age_seconds_count");
    if (count == null || count == 0) {
      return new JsonObject();
    }
    return new JsonObject()
      .put("dispatches", count.longValue())
      .put("meanMs", Stats.round(1000 * m.getDouble("execgate_cluster_view_age_seconds_sum") / count))
      .put("maxMs", Stats.round(1000 * m.getDouble("execgate_cluster_view_age_seconds_max")));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
