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
 * Benchmark scenario 9, on a gateway of its own started as {@code bin/execgate} starts it (its default
 * JVM options, no {@code -Xmx512m}): the gateway process's CPU (utime + stime from
 * {@code /proc/<pid>/stat}) per second idle on the fresh jar, per warm {@code echo hi} after a warm-up, per
 * second idle just after the executions and again minutes later (the JIT done); its memory (RSS, heap
 * after a full GC) fresh and after the executions; then where the CPU goes: by thread (from
 * {@code /proc/<pid>/task}) and, from a JFR recording of a last pass, the most sampled top frames.
 */
final class CpuBench {

  static final double TARGET_MS_PER_EXECUTION = 10;
  static final double TARGET_IDLE_MS_PER_SECOND = 2;
  static final double TARGET_HEAP_AFTER_GC_MIB = 64;
  static final double TARGET_RSS_MIB = 300;

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
    // the window: 90 to 120 s after the start of a fresh jar (quick: 30 to 40 s)
    long freshFromMs = quick ? 30_000 : 90_000;
    // minutes after the last execution, once the JIT has compiled what the executions ran
    long lateAfterMs = quick ? 60_000 : 300_000;
    long lateMs = quick ? 20_000 : 60_000;

    sleepUntil(gw.startedAtNanos + freshFromMs * 1_000_000);
    JsonObject fresh = idle(idleMs / 2 * 3);
    JsonObject memoryFresh = memory();

    for (int i = 0; i < warmup; i++) {
      Benchmark.execgate(gw);
    }
    Map<String, Long> threadsBefore = threadTicks();
    long before = ticks();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Benchmark.execgate(gw);
    }
    long lastExecution = System.nanoTime();
    double seconds = (lastExecution - t0) / 1e9;
    long used = ticks() - before;
    JsonObject threads = byThread(minus(threadTicks(), threadsBefore), n);
    double perExecution = used * msPerTick / n;

    // idle: let the pool's refills and the last removals settle first
    Thread.sleep(5_000);
    JsonObject afterRuns = idle(idleMs);
    sleepUntil(lastExecution + lateAfterMs * 1_000_000);
    JsonObject late = idle(lateMs);
    JsonObject memoryAfter = memory();
    JsonObject profile = profile(n);

    JsonObject s = new JsonObject()
      .put("jvmOptions", String.join(" ", gw.jvmOptions))
      .put("warmup", warmup)
      .put("executions", n)
      .put("seconds", Stats.round(seconds))
      .put("cpuMsPerExecution", Stats.round(perExecution))
      .put("targetMsPerExecution", TARGET_MS_PER_EXECUTION)
      .put("cpuMsPerExecutionByThread", threads)
      .put("idleFresh", fresh.put("fromSecondsAfterStart", freshFromMs / 1000))
      .put("idleAfterExecutions", afterRuns.put("fromSecondsAfterLastExecution", 5))
      .put("idleLate", late.put("fromSecondsAfterLastExecution", lateAfterMs / 1000))
      .put("targetIdleMsPerSecond", TARGET_IDLE_MS_PER_SECOND)
      .put("memoryFresh", memoryFresh)
      .put("memoryAfterExecutions", memoryAfter)
      .put("targetHeapAfterGcMiB", TARGET_HEAP_AFTER_GC_MIB)
      .put("targetRssMiB", TARGET_RSS_MIB)
      .put("jfr", profile);
    table.add("");
    table.add("9. gateway CPU (utime+stime, /proc) and memory, the jar started as bin/execgate starts it ("
      + String.join(" ", gw.jvmOptions) + ")");
    table.add(String.format("   CPU per warm `echo hi`: %.1f ms over %d after %d warm-up (target <= %.0f: %.1fx)",
      perExecution, n, warmup, TARGET_MS_PER_EXECUTION, perExecution / TARGET_MS_PER_EXECUTION));
    table.add("   ms per execution by thread: " + top(threads, 8));
    idleRow(table, "fresh jar, " + freshFromMs / 1000 + " s after start", fresh);
    idleRow(table, "5 s after the executions", afterRuns);
    idleRow(table, lateAfterMs / 1000 + " s after the executions", late);
    memoryRow(table, "fresh jar, idle", memoryFresh);
    memoryRow(table, "after the executions, idle", memoryAfter);
    table.add("   JFR samples by top frame (" + profile.getLong("samples") + " samples): "
      + top(profile.getJsonObject("topFrames"), 10));
    table.add("   JFR samples by first execgate frame: " + top(profile.getJsonObject("execgateFrames"), 10));
    return s;
  }

  private static void idleRow(List<String> table, String when, JsonObject idle) {
    double ms = idle.getDouble("cpuMsPerSecond");
    table.add(String.format("   idle, %s: %.2f ms per s over %d s (target <= %.0f: %.1fx; load average %s)", when, ms,
      idle.getLong("seconds"), TARGET_IDLE_MS_PER_SECOND, ms / TARGET_IDLE_MS_PER_SECOND, idle.getString("loadAverage")));
    table.add("     by thread: " + top(idle.getJsonObject("byThread"), 10));
  }

  private static void memoryRow(List<String> table, String when, JsonObject m) {
    table.add(String.format("   memory, %s: RSS %.0f MiB (target <= %.0f: %.2fx), heap after GC %.1f MiB (target <= %.0f:"
        + " %.2fx) of %.0f MiB committed; RSS after that GC %.0f MiB", when, m.getDouble("rssMiB"), TARGET_RSS_MIB,
      m.getDouble("rssMiB") / TARGET_RSS_MIB, m.getDouble("heapAfterGcMiB"), TARGET_HEAP_AFTER_GC_MIB,
      m.getDouble("heapAfterGcMiB") / TARGET_HEAP_AFTER_GC_MIB, m.getDouble("heapCommittedMiB"),
      m.getDouble("rssAfterGcMiB")));
  }

  /**
   * @return the gateway's CPU per second over {@code ms} of idling, in all and by thread, with the machine's
   *   load average (other work on the machine shows there, not in the gateway's ticks)
   */
  private JsonObject idle(long ms) throws Exception {
    Map<String, Long> threadsBefore = threadTicks();
    long before = ticks();
    long t0 = System.nanoTime();
    Thread.sleep(ms);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long used = ticks() - before;
    return new JsonObject()
      .put("seconds", Math.round(seconds))
      .put("cpuMsPerSecond", Math.round(100 * used * msPerTick / seconds) / 100.0)
      .put("byThread", byThread(minus(threadTicks(), threadsBefore), seconds))
      .put("loadAverage", loadAverage());
  }

  /**
   * @return RSS as it is, then the heap after a full GC (jcmd GC.run), what is committed, and RSS after it
   */
  private JsonObject memory() throws Exception {
    long rss = gw.rssBytes();
    gw.jcmd("GC.run");
    long[] heap = gw.heapInfo();
    return new JsonObject()
      .put("rssMiB", Stats.round(rss / 1048576.0))
      .put("heapAfterGcMiB", Stats.round(heap[0] / 1048576.0))
      .put("heapCommittedMiB", Stats.round(heap[1] / 1048576.0))
      .put("rssAfterGcMiB", Stats.round(gw.rssBytes() / 1048576.0));
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long ms = (nanoTime - System.nanoTime()) / 1_000_000;
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  /**
   * @return the threads' ms of CPU (from clock ticks) divided by {@code per}, busiest first, idle ones left out
   */
  private JsonObject byThread(Map<String, Long> ticks, double per) {
    JsonObject o = new JsonObject();
    ticks.entrySet().stream().filter(e -> e.getValue() > 0)
      .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
      .forEach(e -> o.put(e.getKey(), Math.round(100 * e.getValue() * msPerTick / per) / 100.0));
    return o;
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
          String name = Files.readString(task.resolve("comm")).trim().replaceAll("(?<=[-#])[0-9]+", "N");
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
