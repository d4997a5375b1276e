package io.execgate.bench;

import io.vertx.core.json.JsonObject;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmark scenario 9: the gateway process's CPU (utime + stime from {@code /proc/<pid>/stat}) per
 * warm {@code echo hi} after a warm-up, and per second idle; then where it goes: CPU by thread (from
 * {@code /proc/<pid>/task}) and, from a JFR recording of a second pass, the most sampled top frames.
 */
final class CpuBench {

  static final double TARGET_MS_PER_EXECUTION = 10;
  static final double TARGET_IDLE_MS_PER_SECOND = 2;

  private final GatewayProcess gw;
  private final Path logDir;
  private final double msPerTick;

  CpuBench(GatewayProcess gw, Path logDir) throws Exception {
    this.gw = gw;
    this.logDir = logDir;
    Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
    String hz = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    this.msPerTick = 1000.0 / (hz.isEmpty() ? 100 : Long.parseLong(hz));
  }

  JsonObject run(boolean quick, List<String> table) throws Exception {
    int warmup = quick ? 30 : 150;
    int n = quick ? 50 : 200;
    long idleMs = quick ? 10_000 : 20_000;
    for (int i = 0; i < warmup; i++) {
      Benchmark.execgate(gw);
    }
    Map<String, Long> threadsBefore = threadTicks();
    long before = ticks();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Benchmark.execgate(gw);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long used = ticks() - before;
    Map<String, Long> byThread = minus(threadTicks(), threadsBefore);
    double perExecution = used * msPerTick / n;

    // idle: let the pool's refills and the last removals settle first
    Thread.sleep(5_000);
    Map<String, Long> idleThreadsBefore = threadTicks();
    long idleBefore = ticks();
    Thread.sleep(idleMs);
    double idlePerSecond = (ticks() - idleBefore) * msPerTick / (idleMs / 1000.0);
    JsonObject idleThreads = new JsonObject();
    minus(threadTicks(), idleThreadsBefore).entrySet().stream().filter(e -> e.getValue() > 0)
      .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
      .forEach(e -> idleThreads.put(e.getKey(), Stats.round(e.getValue() * msPerTick / (idleMs / 1000.0))));

    JsonObject threads = new JsonObject();
    byThread.entrySet().stream().filter(e -> e.getValue() > 0)
      .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
      .forEach(e -> threads.put(e.getKey(), Stats.round(e.getValue() * msPerTick / n)));
    JsonObject profile = profile(n);

    JsonObject s = new JsonObject()
      .put("warmup", warmup)
      .put("executions", n)
      .put("seconds", Stats.round(seconds))
      .put("cpuMsPerExecution", Stats.round(perExecution))
      .put("targetMsPerExecution", TARGET_MS_PER_EXECUTION)
      .put("idleSeconds", idleMs / 1000)
      .put("idleCpuMsPerSecond", Stats.round(idlePerSecond))
      .put("targetIdleMsPerSecond", TARGET_IDLE_MS_PER_SECOND)
      .put("cpuMsPerExecutionByThread", threads)
      .put("idleCpuMsPerSecondByThread", idleThreads)
      .put("jfr", profile);
    table.add("");
    table.add(String.format("9. gateway CPU (utime+stime, /proc): %.1f ms per warm `echo hi` over %d after %d warm-up"
        + " (target <= %.0f); idle %.2f ms per s over %d s (target <= %.0f)", perExecution, n, warmup,
      TARGET_MS_PER_EXECUTION, idlePerSecond, idleMs / 1000, TARGET_IDLE_MS_PER_SECOND));
    table.add("   ms per execution by thread: " + top(threads, 8));
    table.add("   idle ms per s by thread: " + top(idleThreads, 8));
    table.add("   JFR samples by top frame (" + profile.getLong("samples") + " samples): "
      + top(profile.getJsonObject("topFrames"), 10));
    table.add("   JFR samples by first execgate frame: " + top(profile.getJsonObject("execgateFrames"), 10));
    return s;
  }

  private static String top(JsonObject counts, int n) {
    StringBuilder sb = new StringBuilder();
    counts.stream().limit(n).forEach(e -> sb.append(sb.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
      .append(e.getValue()));
    return sb.toString();
  }

  /**
   * A second pass of {@code n} executions under JFR's profile settings: execution samples grouped by
   * their top frame and by their first frame in execgate's own code.
   */
  private JsonObject profile(int n) throws Exception {
    Path file = logDir.resolve("cpu-" + gw.instanceId + ".jfr").toAbsolutePath();
    gw.jcmd("JFR.start name=cpu settings=profile filename=" + file);
    for (int i = 0; i < n; i++) {
      Benchmark.execgate(gw);
    }
    gw.jcmd("JFR.stop name=cpu");
    Map<String, Integer> topFrames = new HashMap<>();
    Map<String, Integer> execgateFrames = new HashMap<>();
    int samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      samples++;
      RecordedStackTrace st = e.getStackTrace();
      List<RecordedFrame> frames = st.getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      topFrames.merge(name(frames.get(0)), 1, Integer::sum);
      String own = frames.stream().map(CpuBench::name).filter(f -> f.startsWith("io.execgate.")).findFirst()
        .orElse("(no execgate frame)");
      execgateFrames.merge(own, 1, Integer::sum);
    }
    return new JsonObject().put("file", file.toString()).put("samples", samples)
      .put("topFrames", sorted(topFrames, 25)).put("execgateFrames", sorted(execgateFrames, 25));
  }

  private static String name(RecordedFrame f) {
    // a lambda's class name carries its address: one name for all of a site's instances
    return f.getMethod().getType().getName().replaceAll("\\$\\$Lambda.*", "\\$\\$Lambda") + "."
      + f.getMethod().getName();
  }

  private static JsonObject sorted(Map<String, Integer> counts, int limit) {
    JsonObject o = new JsonObject();
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
      .forEach(e -> o.put(e.getKey(), e.getValue()));
    return o;
  }

  /**
   * @return the process's utime + stime, in clock ticks
   */
  private long ticks() throws IOException {
    return ticks(Path.of("/proc/" + gw.pid() + "/stat"));
  }

  /**
   * @return utime + stime of the process or thread whose {@code stat} file this is, in clock ticks (10 ms)
   */
  static long ticks(Path stat) throws IOException {
    String s = Files.readString(stat);
    // fields after the command (which may hold spaces): state is field 3, utime 14, stime 15
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * @return utime + stime per thread name, numbers in names folded (all event loops as one)
   */
  private Map<String, Long> threadTicks() throws IOException {
    Map<String, Long> byName = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + gw.pid() + "/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "N");
          byName.merge(name, ticks(task.resolve("stat")), Long::sum);
        } catch (IOException gone) {
          // the thread ended meanwhile
        }
      }
    }
    return byName;
  }

  private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
    Map<String, Long> d = new HashMap<>();
    after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
    return d;
  }
}
