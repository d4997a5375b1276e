package io.execgate.bench;

import io.vertx.core.json.JsonObject;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The soak run ({@code bin/soak [N]}; {@code bin/soak --hostile [N]} is {@link HostileSoak}): N executions (default 1,000) mixing normal and hostile
 * programs at concurrency 16 against the real jar. Checks that every accepted execution reaches a
 * final state readable by GET, that no container is left once the gateway stops, and that the heap
 * after a GC is back near its idle level once the records (30 s here) and replayable frames (10 s)
 * have expired; prints the figures.
 */
public final class Soak {

  private static final List<JsonObject> MIX = List.of(
    body("echo hello; echo err >&2", null),
    body("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo $i", null),
    body("cat | wc -c", null).put("stdin", "x".repeat(100_000)),
    body(":(){ :|:& };: 2>/dev/null; sleep 1", new JsonObject().put("pids", 32).put("timeoutMs", 3000)),
    body("x=a; while true; do x=$x$x; done", new JsonObject().put("memoryMb", 48).put("timeoutMs", 10000)),
    body("yes flood", new JsonObject().put("outputBytes", 100_000)),
    body("sleep 60", new JsonObject().put("timeoutMs", 1500)),
    body("dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>/dev/null; echo done", null),
    body("kill -9 1; exit 3", null),
    body("exit 7", null));

  private static JsonObject body(String script, JsonObject limits) {
    JsonObject body = new JsonObject().put("script", script);
    if (limits != null) {
      body.put("limits", limits);
    }
    return body;
  }

  private static final int RECORD_TTL_SECONDS = 30;
  private static final int STREAM_GRACE_SECONDS = 10;

  private Soak() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--hostile")) {
      HostileSoak.main(args.length > 1 ? Integer.parseInt(args[1]) : 60);
      return;
    }
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int concurrency = 16;
    Path logs = Files.createDirectories(Path.of("target", "bench"));
    String instance = "soak-" + UUID.randomUUID().toString().substring(0, 6);
    Map<String, Integer> byStatus = new TreeMap<>();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    long rssIdle;
    long heapIdle;
    long rssAfter;
    long heapAfter;
    double seconds;
    AtomicInteger rejected = new AtomicInteger();
    // records and replayable frames are kept on purpose (an hour, 5 minutes): short here, so that the
    // heap can be seen to come back once they expire, which is what a leak would prevent
    Path config = Files.writeString(logs.resolve("soak-config.json"), new JsonObject().put("executor", new JsonObject()
      .put("recordTtlSeconds", RECORD_TTL_SECONDS).put("streamGraceSeconds", STREAM_GRACE_SECONDS)).encode());
    long heapLoaded;
    try (GatewayProcess gw = new GatewayProcess(instance, Map.of("EXECGATE_CONFIG", config.toString()),
      logs.resolve("soak.log"))) {
      Thread.sleep(2_000);
      rssIdle = gw.rssBytes();
      heapIdle = gw.heapUsedAfterGcBytes();
      ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
      AtomicInteger next = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(concurrency);
      long t0 = System.nanoTime();
      List<Future<?>> workers = new java.util.ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < total) {
            try {
              HttpResponse<String> r = gw.post("/v1/executions?wait=true", MIX.get(i % MIX.size()).encode());
              if (r.statusCode() == 429) {
                rejected.incrementAndGet();
                continue;
              }
              JsonObject result = new JsonObject(r.body());
              String id = result.getString("id");
              // the record is readable by GET, and final
              JsonObject read = new JsonObject(gw.get("/v1/executions/" + id).body());
              if (!read.getString("status").equals(result.getString("status"))) {
                problems.add(id + ": GET says " + read.getString("status") + ", the answer said "
                  + result.getString("status"));
              }
              counts.merge(result.getString("status"), 1, Integer::sum);
            } catch (Exception e) {
              problems.add(e.toString());
            }
          }
        }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
      seconds = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      byStatus.putAll(counts);
      Thread.sleep(3_000);
      heapLoaded = gw.heapUsedAfterGcBytes();
      Thread.sleep((Math.max(RECORD_TTL_SECONDS, STREAM_GRACE_SECONDS) + 5) * 1000L);
      rssAfter = gw.rssBytes();
      heapAfter = gw.heapUsedAfterGcBytes();
    }
    // the gateway stopped (SIGTERM): none of its containers may remain
    Process ps = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=execgate.instance=" + instance).start();
    String left = new String(ps.getInputStream().readAllBytes()).trim();
    ps.waitFor(30, TimeUnit.SECONDS);
    JsonObject out = new JsonObject()
      .put("executions", total)
      .put("concurrency", concurrency)
      .put("seconds", Stats.round(seconds))
      .put("perSecond", Stats.round(100 * total / seconds) / 100)
      .put("byStatus", new JsonObject(new java.util.LinkedHashMap<>(byStatus)))
      .put("rejected429", rejected.get())
      .put("problems", problems.size())
      .put("containersLeft", left.isEmpty() ? 0 : left.split("\\s+").length)
      .put("rssIdleMiB", Stats.round(rssIdle / 1048576.0))
      .put("rssAfterMiB", Stats.round(rssAfter / 1048576.0))
      .put("heapIdleAfterGcMiB", Stats.round(heapIdle / 1048576.0))
      .put("heapWithRecordsAfterGcMiB", Stats.round(heapLoaded / 1048576.0))
      .put("heapAfterAfterGcMiB", Stats.round(heapAfter / 1048576.0));
    System.out.println(out.encodePrettily());
    problems.stream().limit(10).forEach(p -> System.out.println("problem: " + p));
    boolean ok = problems.isEmpty() && left.isEmpty() && heapAfter < heapIdle * 1.5 + (16L << 20);
    System.out.println(ok ? "soak: OK" : "soak: FAILED");
    System.exit(ok ? 0 : 1);
  }
}
