package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.execgate.docker.ContainerLabels;
import io.execgate.stream.CloseCodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine-queue family of attacks on the runnable jar ({@code -Xmx512m}, real engine): signal
 * floods on one socket, floods of messages before admission, and what keeps the host and the engine
 * safe (sandboxes as the OOM killer's first choice, the startup memory check, the sweeper of
 * runaway containers). Every attack ends with /health within 500 ms throughout, the victim key's
 * {@code echo hi} within 2 s during it, no OutOfMemoryError, every record final, no container left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineQueueAttackIT {

  private static final Logger log = LoggerFactory.getLogger(EngineQueueAttackIT.class);
  /** Counts the SIGUSR1s it gets for about 8 s (each one cuts a sleep short), then prints the count. */
  private static final String COUNT_USR1 = "n=0; trap 'n=$((n+1))' USR1; echo ready; i=0; "
    + "while [ $i -lt 80 ]; do sleep 0.1; i=$((i+1)); done; echo n=$n";
  private static final int FLOOD = 1_500;

  private AttackedGateway gateway;
  private DockerClient docker;

  @BeforeAll
  void start() throws Exception {
    gateway = new AttackedGateway(Map.of()).inService();
    docker = DockerSupport.client();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (gateway != null) {
        gateway.assertNoOutOfMemoryError();
        gateway.close();
      }
    } finally {
      if (docker != null) {
        docker.close();
      }
    }
  }

  private static JsonObject run(String script, long timeoutMs) {
    return new JsonObject().put("type", "run").put("script", script)
      .put("limits", new JsonObject().put("timeoutMs", timeoutMs));
  }

  private static List<String> signals(int n) {
    return Collections.nCopies(n, new JsonObject().put("type", "signal").put("signal", "SIGUSR1").encode());
  }

  private static boolean isType(JsonObject frame, String type) {
    return type.equals(frame.getString("type"));
  }

  private static boolean isError(JsonObject frame, String code) {
    return isType(frame, "error") && code.equals(frame.getString("code"));
  }

  /**
   * Opens an interactive socket as the attacker and starts {@code script}, once it prints ready.
   */
  private RawWebSocket attackerRunning(AttackedGateway gw, String script) throws Exception {
    RawWebSocket ws = new RawWebSocket(gw.port, "/v1/ws", gw.attackerKey);
    ws.send(run(script, 30_000));
    gw.track(ws.await(f -> isType(f, "accepted"), 30_000).getString("id"));
    ws.await(f -> isType(f, "stdout") && f.getString("data").contains("ready"), 30_000);
    return ws;
  }

  /**
   * Runs the victim's echo {@code times} times in a row.
   *
   * @return the slowest, in ms
   */
  private static long victimEchoes(AttackedGateway gw, int times) throws Exception {
    long slowest = 0;
    for (int i = 0; i < times; i++) {
      slowest = Math.max(slowest, gw.victimEchoWithin(2_000));
    }
    return slowest;
  }

  @Test
  @Timeout(120)
  void aSignalFloodOnOneSocketIsRefusedAndTheSocketClosed() throws Exception {
    try (AttackedGateway.HealthProbe probe = gateway.probe();
         RawWebSocket ws = attackerRunning(gateway, COUNT_USR1)) {
      ws.sendAll(signals(FLOOD));
      long victim = victimEchoes(gateway, 3);

      // the first controlBurst (40) are taken, then one per 50 ms; the 41st refusal within a second closes
      // the socket (its error frame comes with the close): a bounded number of error frames, not 1,460
      assertThat(ws.awaitClose(10_000)).isEqualTo(CloseCodes.TOO_MANY_MESSAGES);
      List<JsonObject> refused = ws.received().stream().filter(f -> isError(f, "rate_limited")).toList();
      assertThat(refused).hasSizeBetween(41, 82);
      assertThat(ws.received()).allMatch(f -> isError(f, "rate_limited") || !isType(f, "error"));
      assertThat(refused.get(0).getString("message")).contains("control messages");
      assertThat(ws.closeReason()).contains("refused");
      log.info("1,500 signals on one socket (default limits): {} refused, then closed with 4029; victim echo max {} "
        + "ms, /health max {} ms", refused.size(), victim, probe.maxMs());
      probe.assertAllWithin(500);
      // closing the owner's socket cancelled its execution
      String id = ws.received().stream().filter(f -> isType(f, "accepted")).findFirst().orElseThrow().getString("id");
      assertThat(awaitFinal(gateway, id)).isEqualTo("cancelled");
    }
    gateway.assertAllRecordsFinal(15_000);
    gateway.assertNoExecutionContainerLeft(15_000);
  }

  @Test
  @Timeout(150)
  void signalsPastTheSocketLimitCostOneEngineCallAtATimeAndNeverDelayOthers() throws Exception {
    // the socket's limit opened wide: all 1,500 reach the executor, which merges what waits
    Path config = AttackedGateway.config(new JsonObject().put("http", new JsonObject()
      .put("controlRatePerSecond", 1_000_000).put("controlBurst", 1_000_000)));
    try (AttackedGateway gw = new AttackedGateway(Map.of("EXECGATE_CONFIG", config.toString()))) {
      gw.inService();
      String attackerStdout;
      long victim;
      long healthMax;
      try (AttackedGateway.HealthProbe probe = gw.probe();
           RawWebSocket ws = attackerRunning(gw, COUNT_USR1)) {
        ws.sendAll(signals(FLOOD));
        victim = victimEchoes(gw, 3);
        JsonObject exit = ws.await(f -> isType(f, "exit"), 30_000);
        attackerStdout = ws.received().stream().filter(f -> isType(f, "stdout")).map(f -> f.getString("data"))
          .collect(Collectors.joining());
        assertThat(exit.getString("status")).as(exit.encode()).isEqualTo("succeeded");
        assertThat(ws.received()).noneMatch(f -> isType(f, "error"));
        assertThat(ws.awaitClose(10_000)).isEqualTo(CloseCodes.NORMAL);
        healthMax = probe.maxMs();
        probe.assertAllWithin(500);
      }
      Matcher m = Pattern.compile("n=(\\d+)").matcher(attackerStdout);
      assertThat(m.find()).as(attackerStdout).isTrue();
      int delivered = Integer.parseInt(m.group(1));
      // delivered at least once, and far fewer times than sent: one engine call in flight, repeats merged
      assertThat(delivered).isBetween(1, 50);
      log.info("1,500 signals reaching the executor: the program got SIGUSR1 {} time(s); victim echo max {} ms, "
        + "/health max {} ms", delivered, victim, healthMax);
      gw.assertNoOutOfMemoryError();
      gw.assertAllRecordsFinal(15_000);
      gw.assertNoExecutionContainerLeft(15_000);
    }
  }

  @Test
  @Timeout(120)
  void floodsBeforeAdmissionAreBoundedByCount() throws Exception {
    int cancelledBefore = cancelled();
    try (AttackedGateway.HealthProbe probe = gateway.probe()) {
      // zero-byte messages in the same TCP write as the run: all read before the admission answers
      List<String> stdinFlood = new ArrayList<>();
      stdinFlood.add(run("cat", 30_000).encode());
      stdinFlood.addAll(Collections.nCopies(2_000, new JsonObject().put("type", "stdin").put("data", "").encode()));
      List<String> controlFlood = new ArrayList<>();
      controlFlood.add(run("sleep 20", 30_000).encode());
      for (int i = 0; i < 1_000; i++) {
        controlFlood.add(new JsonObject().put("type", "cancel").encode());
        controlFlood.add(new JsonObject().put("type", "signal").put("signal", "SIGINT").encode());
      }
      try (RawWebSocket stdin = new RawWebSocket(gateway.port, "/v1/ws", gateway.attackerKey);
           RawWebSocket controls = new RawWebSocket(gateway.port, "/v1/ws", gateway.attackerKey)) {
        stdin.sendAll(stdinFlood);
        controls.sendAll(controlFlood);
        long victim = victimEchoes(gateway, 2);

        // past 256 messages before admission: refused, and past controlBurst refusals the socket is closed
        assertThat(stdin.awaitClose(10_000)).isEqualTo(CloseCodes.TOO_MANY_MESSAGES);
        List<JsonObject> refused = stdin.received().stream().filter(f -> isError(f, "rate_limited")).toList();
        assertThat(refused).hasSizeBetween(41, 82);
        assertThat(refused.get(0).getString("message")).contains("256 messages before the execution was admitted");
        // cancels and signals meet the control rate first
        assertThat(controls.awaitClose(10_000)).isEqualTo(CloseCodes.TOO_MANY_MESSAGES);
        assertThat(controls.received().stream().filter(f -> isError(f, "rate_limited")).count()).isBetween(41L, 82L);
        log.info("floods before admission: closed with 4029; victim echo max {} ms, /health max {} ms", victim,
          probe.maxMs());
      }
      probe.assertAllWithin(500);
    }
    // both executions were admitted after their socket closed, and cancelled: none lost, none left running
    long deadline = System.currentTimeMillis() + 15_000;
    while (cancelled() < cancelledBefore + 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(cancelled()).isEqualTo(cancelledBefore + 2);
    JsonObject stats = stats();
    while ((stats.getInteger("running") > 0 || stats.getInteger("queued") > 0) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      stats = stats();
    }
    // their slots were released once their containers were gone
    assertThat(stats.getInteger("running")).as(stats.encode()).isZero();
    assertThat(stats.getInteger("queued")).as(stats.encode()).isZero();
    gateway.assertNoExecutionContainerLeft(15_000);
  }

  private static String awaitFinal(AttackedGateway gw, String id) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    String status;
    do {
      HttpResponse<String> r = gw.get("/v1/executions/" + id, gw.attackerKey);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      status = new JsonObject(r.body()).getString("status");
      if (!List.of("queued", "pulling", "starting", "running").contains(status)) {
        return status;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    return status;
  }

  private JsonObject stats() throws Exception {
    HttpResponse<String> r = gateway.get("/v1/stats", gateway.adminKey);
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private int cancelled() throws Exception {
    return stats().getJsonObject("executions").getInteger("cancelled", 0);
  }

  @Test
  @Timeout(60)
  void sandboxesAreTheOomKillersFirstChoice() throws Exception {
    HttpResponse<String> r = gateway.post("/v1/executions?wait=true", gateway.victimKey,
      new JsonObject().put("script", "cat /proc/self/oom_score_adj; cat /proc/1/oom_score_adj").encode());
    JsonObject result = new JsonObject(r.body());
    gateway.track(result.getString("id"));
    assertThat(result.getString("status")).as(r.body()).isEqualTo("succeeded");
    // the program and the container's init: the highest adjustment there is
    assertThat(result.getString("stdout")).isEqualTo("1000\n1000\n");
    // while the gateway keeps the default
    String own = Files.readString(Path.of("/proc/" + gateway.pid() + "/oom_score_adj")).strip();
    assertThat(Integer.parseInt(own)).isLessThan(1000);
  }

  @Test
  @Timeout(60)
  void aWorstCaseAboveTheHostsMemoryRefusesTheStartInOneLine() throws Exception {
    Path config = AttackedGateway.config(new JsonObject().put("executor", new JsonObject()
      .put("maxConcurrent", 4096).put("hostMemoryCheck", "refuse")));
    Path out = Files.createTempFile("execgate-refuse", ".log");
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
      "-jar", "target/execgate.jar").redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("EXECGATE_CONFIG", config.toString());
    pb.environment().put("EXECGATE_INSTANCE_ID", "it-memcheck-" + UUID.randomUUID().toString().substring(0, 8));
    pb.environment().put("EXECGATE_HTTP_PORT", "0");
    Process p = pb.start();
    try {
      assertThat(p.waitFor(45, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(out, StandardCharsets.UTF_8).strip();
      assertThat(p.exitValue()).as(log).isEqualTo(2);
      // one line says why, and no stack trace (the lines before it are the startup's own INFO)
      assertThat(log.lines().filter(l -> !l.contains(" INFO ")).count()).as(log).isEqualTo(1);
      assertThat(log).contains("executor.hostMemoryCheck").contains("executor.maxConcurrent 4096")
        .contains("x executor.maxLimits.memoryMb 1024 = 4194304 MiB").contains("engine host's memory");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  @Timeout(90)
  void aWorstCaseAboveTheHostsMemoryIsOneWarningInWarnMode() throws Exception {
    Path config = AttackedGateway.config(new JsonObject().put("executor", new JsonObject()
      .put("maxConcurrent", 4096).put("hostMemoryCheck", "warn")));
    try (AttackedGateway gw = new AttackedGateway(Map.of("EXECGATE_CONFIG", config.toString()))) {
      List<String> warnings = gw.log().lines().filter(l -> l.contains("the sandboxes' worst case")).toList();
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0)).contains("WARN").contains("executor.maxConcurrent 4096")
        .contains("oom_score_adj is 1000");
      // the gateway serves: the first execution also waits for the image checks of a fresh start
      HttpResponse<String> first = gw.post("/v1/executions?wait=true", gw.victimKey, "{\"script\":\"echo hi\"}");
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      gw.track(new JsonObject(first.body()).getString("id"));
      gw.victimEchoWithin(2_000);
    }
  }

  @Test
  @Timeout(120)
  void theSweeperKillsARunningContainerPastTheLargestDeadlineButNotWarmOnesNorAnotherInstances() throws Exception {
    // deadline 2 s (sh only: no compile step), grace 1 s, a sweep every second
    Path config = AttackedGateway.config(new JsonObject()
      .put("executor", new JsonObject()
        .put("limits", new JsonObject().put("timeoutMs", 2_000))
        .put("maxLimits", new JsonObject().put("timeoutMs", 2_000))
        .put("sweepIntervalSeconds", 1).put("sweepGraceSeconds", 1)
        .put("pool", new JsonObject().put("size", 1)))
      .put("runtimes", new JsonArray().add(new JsonObject().put("name", "sh").put("version", "1.35.0")
        .put("file", "main.sh").put("run", "sh {file}"))));
    String other = "it-other-" + UUID.randomUUID().toString().substring(0, 8);
    try (AttackedGateway gw = new AttackedGateway(Map.of("EXECGATE_CONFIG", config.toString()))) {
      // the warm container is older than deadline + grace by the time of the sweep, and legitimately so
      Set<String> warm = awaitWarm(gw.instanceId);
      Thread.sleep(4_000);
      long t0 = System.currentTimeMillis();
      // what a run whose kill and removals all failed leaves: a managed container running without a deadline
      String runaway = startSleeper(ContainerLabels.of(gw.instanceId, UUID.randomUUID().toString()), true);
      String stopped = startSleeper(ContainerLabels.of(gw.instanceId, UUID.randomUUID().toString()), false);
      String foreign = startSleeper(ContainerLabels.of(other, UUID.randomUUID().toString()), true);
      try {
        long deadline = t0 + 20_000;
        while ((exists(runaway) || exists(stopped)) && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
        }
        long gone = System.currentTimeMillis() - t0;
        assertThat(exists(runaway)).as("the runaway container").isFalse();
        assertThat(exists(stopped)).as("the stopped container").isFalse();
        // not before it was older than the deadline plus the grace (the engine counts whole seconds)
        assertThat(gone).isGreaterThanOrEqualTo(2_000);
        assertThat(gw.log()).contains("killing and removing container " + runaway)
          .contains("removing stopped container " + stopped);
        assertThat(running(foreign)).as("another instance's container").isTrue();
        assertThat(DockerSupport.containers(docker, gw.instanceId).stream().map(Container::getId).toList())
          .as("the idle warm container").containsAll(warm);
        log.info("the sweeper removed a runaway container {} ms after it started", gone);
        gw.victimEchoWithin(2_000);
      } finally {
        remove(runaway);
        remove(stopped);
        remove(foreign);
      }
      gw.assertNoOutOfMemoryError();
      gw.assertAllRecordsFinal(15_000);
      gw.assertNoExecutionContainerLeft(15_000);
    }
  }

  private Set<String> awaitWarm(String instanceId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Set<String> warm = DockerSupport.containers(docker, instanceId).stream()
        .filter(c -> "running".equals(c.getState()) && ContainerLabels.WARM.equals(c.getLabels().get(ContainerLabels.EXECUTION)))
        .map(Container::getId).collect(Collectors.toSet());
      if (!warm.isEmpty()) {
        return warm;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no warm container within 30 s");
  }

  private String startSleeper(Map<String, String> labels, boolean start) {
    String id = docker.createContainerCmd(DockerSupport.IMAGE).withCmd("sleep", "300").withLabels(labels)
      .withUser("1000").withNetworkDisabled(true).exec().getId();
    if (start) {
      docker.startContainerCmd(id).exec();
    }
    return id;
  }

  private boolean exists(String id) {
    return !docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(id)).exec().isEmpty();
  }

  private boolean running(String id) {
    return !docker.listContainersCmd().withIdFilter(List.of(id)).exec().isEmpty();
  }

  private void remove(String id) {
    try {
      docker.removeContainerCmd(id).withForce(true).exec();
    } catch (com.github.dockerjava.api.exception.NotFoundException
             | com.github.dockerjava.api.exception.ConflictException gone) {
      // gone, or going
    }
  }
}
