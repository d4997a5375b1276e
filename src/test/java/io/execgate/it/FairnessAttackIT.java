package io.execgate.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fairness family of the availability attacks, on the runnable jar ({@code -Xmx512m}, real
 * engine, default configuration): one key floods submissions of long programs; it gets its default
 * share (quota of admitted executions, share of the run slots) and no more, while another key's
 * executions start at once and get their turn in the fair order, with a meaningful queue position.
 * Throughout, {@code /health} answers within 500 ms and the victim's {@code echo hi} within 2 s; no
 * {@code OutOfMemoryError}, every record final, no container left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FairnessAttackIT {

  private static final Logger log = LoggerFactory.getLogger(FairnessAttackIT.class);
  /** The defaults: executor.maxConcurrent, executor.maxKeyShare, auth.defaults.maxConcurrent. */
  private static final int SLOTS = 16;
  private static final int KEY_SLOTS = 12;
  private static final int KEY_QUOTA = 32;
  private static final int VICTIM_RUNS = 8;
  private static final String ATTACK = "sleep 6";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private AttackedGateway gateway;

  @BeforeAll
  void start() throws Exception {
    // a gateway in service: its warm pools full (a gateway that just started is still creating them
    // and checking its images, and the flood would take what it has before a victim comes)
    gateway = new AttackedGateway(Map.of()).inService();
  }

  @AfterAll
  void noneLostNoneLeft() throws Exception {
    threads.shutdownNow();
    try {
      gateway.assertAllRecordsFinal(120_000);
      gateway.assertNoExecutionContainerLeft(60_000);
      gateway.assertNoOutOfMemoryError();
    } finally {
      gateway.close();
    }
  }

  @Test
  void aKeyFloodingSubmissionsCannotStarveAnotherKey() throws Exception {
    Flood flood = new Flood();
    try (AttackedGateway.HealthProbe probe = gateway.probe()) {
      flood.start(6);
      // the flood takes all it may: its slots, then its quota
      JsonObject stats = awaitStats(s -> s.getInteger("running") + s.getInteger("queued") >= KEY_QUOTA
        || s.getInteger("running") >= SLOTS, 30_000);
      Thread.sleep(2_000);
      stats = stats();
      int attackerRunning = stats.getInteger("running");
      int attackerAdmitted = attackerRunning + stats.getInteger("queued");

      long echoMs = echo();
      // the echo's slot comes back once its container is removed (seconds, on a busy engine)
      awaitStats(s -> s.getInteger("running") <= KEY_SLOTS, 15_000);
      // the victim submits several at once: they start at once (the slots the flooder may not take),
      // then take their turn before the flooder's queue
      long t0 = System.currentTimeMillis();
      List<Future<Victim>> runs = new ArrayList<>();
      for (int i = 0; i < VICTIM_RUNS; i++) {
        int n = i;
        runs.add(threads.submit(() -> victimRun("sleep 2; echo v" + n)));
      }
      List<Victim> victims = new ArrayList<>();
      for (Future<Victim> f : runs) {
        victims.add(f.get(120, TimeUnit.SECONDS));
      }
      long victimsMs = System.currentTimeMillis() - t0;
      flood.stop();
      long lastVictimStart = t0 + victims.stream().mapToLong(v -> v.startMs).max().orElseThrow();
      // the flooder's executions that started while some of the victim's waited: none may have
      List<Long> flooderStarts = new ArrayList<>();
      for (String id : flood.admitted) {
        JsonObject r = new JsonObject(gateway.get("/v1/executions/" + id, gateway.attackerKey).body());
        if (r.getValue("queuedMs") != null) {
          flooderStarts.add(r.getLong("submittedAt") + r.getLong("queuedMs"));
        }
      }
      List<Long> flooderStartsBeforeTheVictims = flooderStarts.stream()
        .filter(t -> t > t0 + 1_000 && t < lastVictimStart - 100).map(t -> t - t0).sorted().toList();

      List<Long> startMs = victims.stream().map(v -> v.startMs).sorted().toList();
      List<Integer> positions = victims.stream().map(v -> v.position).sorted().toList();
      log.info("flood: {} submits, {} admitted, refused {}; while it held its share: {} running, {} admitted; victim's echo "
          + "{} ms; victim's {} runs: start after (ms) {}, positions {}, all done in {} ms; flooder's starts meanwhile {}; "
          + "slowest /health {} ms of {}", flood.requests.get(), flood.admitted.size(), flood.refusals, attackerRunning,
        attackerAdmitted, echoMs, VICTIM_RUNS, startMs, positions, victimsMs, flooderStartsBeforeTheVictims,
        probe.maxMs(), probe.count());

      // the flooder got its share and no more...
      assertThat(attackerRunning).as("run slots held by the flooder").isBetween(KEY_SLOTS - 2, KEY_SLOTS);
      assertThat(attackerAdmitted).as("executions admitted for the flooder").isLessThanOrEqualTo(KEY_QUOTA);
      assertThat(flood.refusals).containsKey("quota_exceeded").doesNotContainKey("capacity_exhausted");
      // ...the victim's echo ran at once...
      assertThat(echoMs).isLessThan(2_000);
      // ...and its runs got their share: the first at once in the slots kept free, the others as soon as
      // slots freed (one of its own 2 s runs ending, or one of the flooder's 6 s), every freed slot theirs
      // before the flooder's queue, in bounded time
      assertThat(startMs.subList(0, SLOTS - KEY_SLOTS)).allSatisfy(ms -> assertThat(ms).isLessThan(1_500));
      assertThat(flooderStartsBeforeTheVictims).as("the flooder's starts while the victim's runs waited").isEmpty();
      assertThat(startMs).allSatisfy(ms -> assertThat(ms).isLessThan(15_000));
      assertThat(victims).allSatisfy(v -> assertThat(v.status).isEqualTo("succeeded"));
      // positions are ranks in the fair order: behind a few, never behind the flooder's whole queue
      assertThat(positions.get(positions.size() - 1)).isLessThan(VICTIM_RUNS);
      probe.assertAllWithin(500);
    } finally {
      flood.stop();
      flood.cancelAll();
    }
  }

  private long echo() throws Exception {
    try {
      return gateway.victimEchoWithin(2_000);
    } catch (AssertionError e) {
      log.info("victim's echo: {}", e.getMessage());
      return Long.MAX_VALUE;
    }
  }

  private record Victim(long startMs, int position, String status) {
  }

  /**
   * Submits as the victim (retrying a refusal every 500 ms, for at most 90 s) and waits for the result.
   *
   * @return the time from the first try until the container was being created, the position the
   *   admission reported, and the final status
   */
  private Victim victimRun(String script) throws Exception {
    long first = System.currentTimeMillis();
    HttpResponse<String> r;
    do {
      r = gateway.post("/v1/executions", gateway.victimKey, new JsonObject().put("script", script).encode());
      if (r.statusCode() == 202) {
        break;
      }
      Thread.sleep(500);
    } while (System.currentTimeMillis() - first < 90_000);
    if (r.statusCode() != 202) {
      return new Victim(Long.MAX_VALUE, Integer.MAX_VALUE, "never admitted: " + r.body());
    }
    JsonObject accepted = new JsonObject(r.body());
    String id = accepted.getString("id");
    gateway.track(id);
    JsonObject done = awaitFinal(id, gateway.victimKey, 120_000);
    long started = done.getLong("submittedAt") + done.getLong("queuedMs");
    return new Victim(started - first, accepted.getInteger("position"), done.getString("status"));
  }

  private JsonObject awaitFinal(String id, String key, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      JsonObject record = new JsonObject(gateway.get("/v1/executions/" + id, key).body());
      if (record.getValue("queuedMs") != null && !List.of("queued", "pulling", "starting", "running")
        .contains(record.getString("status"))) {
        return record;
      }
      assertThat(System.currentTimeMillis()).as("%s final in time: %s", id, record).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private JsonObject stats() throws Exception {
    return new JsonObject(gateway.get("/v1/stats", gateway.adminKey).body());
  }

  private JsonObject awaitStats(java.util.function.Predicate<JsonObject> done, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonObject s = stats();
    while (!done.test(s) && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      s = stats();
    }
    return s;
  }

  /**
   * The attacker: threads that submit {@link #ATTACK} as fast as they are answered (50 ms after a
   * refusal), at most 1,500 submits in all.
   */
  private final class Flood {

    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger requests = new AtomicInteger();
    final List<String> admitted = new CopyOnWriteArrayList<>();
    final Map<String, Integer> refusals = new ConcurrentHashMap<>();
    final List<Future<?>> workers = new ArrayList<>();

    void start(int n) {
      for (int i = 0; i < n; i++) {
        workers.add(threads.submit(() -> {
          while (running.get() && requests.incrementAndGet() <= 1_500) {
            HttpResponse<String> r = gateway.post("/v1/executions", gateway.attackerKey,
              new JsonObject().put("script", ATTACK).encode());
            if (r.statusCode() == 202) {
              String id = new JsonObject(r.body()).getString("id");
              admitted.add(id);
              gateway.track(id);
            } else {
              String code = new JsonObject(r.body()).getJsonObject("error").getString("code");
              refusals.merge(code, 1, Integer::sum);
              Thread.sleep(50);
            }
          }
          return null;
        }));
      }
    }

    void stop() throws Exception {
      running.set(false);
      for (Future<?> w : workers) {
        w.get(90, TimeUnit.SECONDS);
      }
      workers.clear();
    }

    /**
     * Cancels what the flood left, so that the records' check need not wait for its queue to drain.
     */
    void cancelAll() throws Exception {
      for (String id : admitted) {
        http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + id)).DELETE()
          .header("authorization", "Bearer " + gateway.attackerKey).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.discarding());
      }
    }
  }
}
