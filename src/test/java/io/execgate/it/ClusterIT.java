package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.config.ClusterTlsOptions;
import io.execgate.error.ErrorCode;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.ResourceLimits;
import io.execgate.request.RequestResolver;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.Serializable;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.management.BadAttributeValueExpException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three JVMs of the runnable jar on loopback, started once for the class: one gateway and two
 * workers (distinct instance ids, both on this machine's engine), joined in a cluster whose name is
 * unique to the run (Hazelcast joins only members of the same name, so concurrent runs on free
 * ports cannot meet), their event bus on TLS with client certificates made for the run. Executions
 * go through the gateway to both workers; a worker's output streams to a WebSocket client of the
 * gateway; a worker killed mid-run loses only what it held, and what had not started there runs on
 * the survivor; the killed worker, restarted, removes what it left and takes work again; a killed
 * gateway leaves the executions running and their records readable at another gateway. Then members
 * that are no gateway attack: one without a valid certificate can neither deliver a message nor hear
 * one; one with a valid certificate sends forged jobs, which workers check again (refused, or clamped
 * to their maxima on the engine); a Java-serialized object planted in a map is not deserialized. No
 * container is left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  /** Run slots per worker: few, so that queues form. */
  private static final int SLOTS = 2;
  private static final int QUEUED = 20;
  private static final int MEMBER_TIMEOUT_SECONDS = 6;
  private static final long START_TIMEOUT_MS = 180_000;
  /** An admin key: it reads the gateway's /metrics and every key's records. */
  private static final String KEY = ApiKey.generate();
  /** A key that may have one execution running or queued in the whole cluster. */
  private static final String ONE_KEY = ApiKey.generate();
  /** The workers' longest deadline: a forged job asking for an hour ends at it. */
  private static final long MAX_TIMEOUT_MS = 12_000;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String clusterName = "it-cluster-" + run;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ClusterNode> nodes = new ArrayList<>();
  private List<Integer> ports;
  private JsonObject settings;
  private DockerClient docker;
  private Vertx vertx;
  private WebSocketClient wsClient;
  private ClusterNode gateway;
  private ClusterNode worker1;
  private ClusterNode worker2;
  private Path certs;
  private ClusterTlsOptions memberTls;
  private ClusterTlsOptions outsiderTls;

  @BeforeAll
  void startCluster() throws Exception {
    DockerSupport.requireDocker();
    docker = DockerSupport.client();
    vertx = Vertx.vertx();
    wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setDefaultHost("127.0.0.1"));
    ports = List.of(ClusterNode.freePort(), ClusterNode.freePort(), ClusterNode.freePort(), ClusterNode.freePort());
    // the cluster's authority signs every node's certificate; an outsider's authority signs its own
    certs = Files.createTempDirectory("execgate-it-certs");
    TestCertificates authority = TestCertificates.authority("execgate-it-" + run);
    Path trust = authority.trustStore(certs);
    memberTls = tls(authority.nodeKeyStore(certs, "member"), trust);
    outsiderTls = tls(TestCertificates.authority("outsider-" + run).nodeKeyStore(certs, "outsider"), trust);
    settings = new JsonObject()
      // one key fills the cluster here: it may take every slot, without quota or rate of its own
      .put("executor", new JsonObject().put("maxConcurrent", SLOTS).put("maxQueued", QUEUED).put("maxKeyShare", 1.0)
        .put("maxLimits", new JsonObject().put("timeoutMs", MAX_TIMEOUT_MS))
        .put("pool", new JsonObject().put("size", 1).put("runtimes", new JsonArray().add("sh"))))
      .put("cluster", new JsonObject().put("memberTimeoutSeconds", MEMBER_TIMEOUT_SECONDS)
        .put("advertiseIntervalMs", 500).put("tls", memberTls.toJson()))
      .put("auth", new JsonObject().put("keys", new JsonArray()
        .add(new JsonObject().put("id", "it").put("sha256", ApiKey.hash(KEY)).put("admin", true).put("maxConcurrent", 0)
          .put("ratePerMinute", 0))
        .add(new JsonObject().put("id", "one").put("sha256", ApiKey.hash(ONE_KEY)).put("maxConcurrent", 1))))
      .put("gatewayAuth", new JsonObject().put("tokenSecret", ApiKey.generate()))
      .put("apiKey", KEY);
    gateway = node("gateway", "it-" + run + "-gw", ports.get(0));
    worker1 = node("worker", "it-" + run + "-w1", ports.get(1));
    worker2 = node("worker", "it-" + run + "-w2", ports.get(2));
    gateway.start();
    worker1.start();
    worker2.start();
    gateway.awaitWorkers(2, START_TIMEOUT_MS, worker1, worker2);
  }

  private static ClusterTlsOptions tls(Path keyStore, Path trustStore) {
    return new ClusterTlsOptions().setEnabled(true).setKeyStore(keyStore.toString())
      .setKeyStorePassword(TestCertificates.PASSWORD).setTrustStore(trustStore.toString())
      .setTrustStorePassword(TestCertificates.PASSWORD);
  }

  private ClusterNode node(String role, String instanceId, int port) throws Exception {
    ClusterNode n = new ClusterNode(role, instanceId, port, ports, clusterName, settings);
    nodes.add(n);
    return n;
  }

  @AfterAll
  void stopCluster() throws Exception {
    try {
      for (ClusterNode n : nodes) {
        assertThat(n.stop()).as("%s stops on SIGTERM", n.instanceId).isTrue();
      }
      if (docker != null) {
        for (ClusterNode w : List.of(worker1, worker2)) {
          assertThat(DockerSupport.awaitNoContainers(docker, w.instanceId, 30_000)).as("containers of " + w.instanceId)
            .isEmpty();
        }
      }
    } finally {
      for (ClusterNode n : nodes) {
        if (n.alive()) {
          n.kill();
        }
      }
      if (docker != null) {
        for (ClusterNode n : nodes) {
          DockerSupport.removeAll(docker, n.instanceId);
        }
        docker.close();
      }
      if (vertx != null) {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
      TestImages.deleteTree(certs);
    }
  }

  @Test
  @Order(1)
  void fortyExecutionsThroughTheGatewaySpreadOverBothWorkers() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      answers.add(submitAsync(gateway, "x=" + i + "; sleep 0.3; echo $((x * x))", true));
    }
    Map<String, Integer> perWorker = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> r = answers.get(i).get(180, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject result = new JsonObject(r.body());
      assertThat(result.getString("status")).as(r.body()).isEqualTo("succeeded");
      assertThat(result.getString("stdout")).as(r.body()).isEqualTo(i * i + "\n");
      perWorker.merge(result.getString("worker"), 1, Integer::sum);
      // the record reads the same at the gateway afterwards
      JsonObject stored = get(gateway, result.getString("id"));
      assertThat(stored.getString("worker")).isEqualTo(result.getString("worker"));
      assertThat(stored.getString("stdout")).isEqualTo(result.getString("stdout"));
    }
    assertThat(perWorker.keySet()).containsExactlyInAnyOrder(worker1.instanceId, worker2.instanceId);
    // capacity decides: neither worker gets everything
    assertThat(perWorker.values()).allSatisfy(n -> assertThat(n).isBetween(10, 30));
  }

  @Test
  @Order(2)
  void aWorkersOutputStreamsToAWebSocketClientOfTheGateway() throws Exception {
    String id = new JsonObject(submitAsync(gateway, "for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done; echo err >&2",
      false).get(60, TimeUnit.SECONDS).body()).getString("id");
    Frames watched = connect(gateway, "/v1/executions/" + id + "/stream");
    JsonObject exit = watched.awaitExit(60_000);
    watched.assertCompleteFrom(0);
    assertThat(exit.getString("status")).isEqualTo("succeeded");
    assertThat(exit.getString("worker")).isIn(worker1.instanceId, worker2.instanceId);
    assertThat(watched.stdout()).isEqualTo("line1\nline2\nline3\nline4\nline5\n");

    // interactive: stdin and the program's answers cross the cluster both ways
    Frames session = connect(gateway, "/v1/ws");
    send(session, new JsonObject().put("type", "run").put("script",
      "echo ready; while IFS= read -r l; do echo \"got:$l\"; done; echo bye"));
    session.await(Frames.stdoutContaining("ready"), 60_000);
    for (String line : new String[]{"one", "d\u00e9j\u00e0 vu"}) {
      send(session, new JsonObject().put("type", "stdin").put("data", line + "\n"));
      session.await(Frames.stdoutContaining("got:" + line + "\n"), 10_000);
    }
    send(session, new JsonObject().put("type", "stdin_close"));
    JsonObject end = session.awaitExit(30_000);
    assertThat(end.getString("status")).isEqualTo("succeeded");
    assertThat(session.stdout()).isEqualTo("ready\ngot:one\ngot:d\u00e9j\u00e0 vu\nbye\n");
  }

  @Test
  @Order(3)
  void aFullClusterAnswers429LikeAFullNode() throws Exception {
    int capacity = 2 * (SLOTS + QUEUED);
    // the earlier tests' executions release their slots once their containers are removed
    gateway.awaitFreeSlots(2 * SLOTS, 30_000);
    List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
    for (int i = 0; i < capacity; i++) {
      accepted.add(submitAsync(gateway, "sleep 30", false));
    }
    List<String> ids = new ArrayList<>();
    try {
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> f : accepted) {
        HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
        statuses.add(r.statusCode());
        if (r.statusCode() == 202) {
          ids.add(new JsonObject(r.body()).getString("id"));
        }
      }
      assertThat(statuses).containsOnly(202);
      HttpResponse<String> refused = submitAsync(gateway, "echo one too many", false).get(60, TimeUnit.SECONDS);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
      assertThat(refused.headers().firstValue("retry-after")).isPresent();
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code")).isEqualTo("capacity_exhausted");
    } finally {
      // cancelled even when an assertion failed: the next tests need the slots
      for (String id : ids) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + id)).DELETE()
          .header("authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 409);
      }
    }
    Map<String, JsonObject> done = awaitRecords(ids, recs -> recs.values().stream().allMatch(ClusterIT::isFinal), 60_000);
    assertThat(done.values()).extracting(r -> r.getString("status")).containsOnly("cancelled");
  }

  @Test
  @Order(4)
  void aKeysQuotaCountsItsExecutionsOnEveryWorker() throws Exception {
    gateway.awaitFreeSlots(2 * SLOTS, 30_000);
    HttpResponse<String> first = submitAsync(gateway, "sleep 2; echo one", false, ONE_KEY).get(60, TimeUnit.SECONDS);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    // the other worker has room, but the key's quota is the cluster's
    HttpResponse<String> second = submitAsync(gateway, "echo two", false, ONE_KEY).get(60, TimeUnit.SECONDS);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
    assertThat(new JsonObject(second.body()).getJsonObject("error").getString("code")).isEqualTo("quota_exceeded");
    String id = new JsonObject(first.body()).getString("id");
    awaitRecords(List.of(id), recs -> isFinal(recs.get(id)), 60_000);
    // its place comes back when it ends
    long deadline = System.currentTimeMillis() + 10_000;
    HttpResponse<String> third;
    do {
      third = submitAsync(gateway, "echo three", true, ONE_KEY).get(60, TimeUnit.SECONDS);
    } while (third.statusCode() == 429 && System.currentTimeMillis() < deadline);
    assertThat(third.statusCode()).as(third.body()).isEqualTo(200);
    assertThat(new JsonObject(third.body()).getString("stdout")).isEqualTo("three\n");
  }

  @Test
  @Order(5)
  void aKilledWorkerLosesOnlyWhatItRanAndTheSurvivorTakesTheRest() throws Exception {
    gateway.awaitFreeSlots(2 * SLOTS, 30_000);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4 * SLOTS; i++) {
      ids.add(new JsonObject(submitAsync(gateway, "echo start; sleep 8; echo end", false).get(60, TimeUnit.SECONDS)
        .body()).getString("id"));
    }
    // wait until every slot of the first worker runs one (so none of its queued ones can start) and it queues some
    Map<String, JsonObject> atKill = awaitRecords(ids, recs -> {
      List<JsonObject> onW1 = recs.values().stream().filter(r -> worker1.instanceId.equals(r.getString("worker"))).toList();
      return onW1.stream().filter(r -> r.getString("status").equals("running")).count() == SLOTS
        && onW1.stream().anyMatch(r -> r.getString("status").equals("queued"));
    }, 60_000);
    Set<String> ranOnW1 = ids(atKill, worker1.instanceId, Set.of("starting", "running"));
    Set<String> queuedOnW1 = ids(atKill, worker1.instanceId, Set.of("queued", "pulling"));
    Set<String> onW2 = ids(atKill, worker2.instanceId, Set.of("queued", "pulling", "starting", "running"));
    Set<String> w1Containers = DockerSupport.containers(docker, worker1.instanceId).stream().map(Container::getId)
      .collect(Collectors.toSet());

    Frames watcher = connect(gateway, "/v1/executions/" + ranOnW1.iterator().next() + "/stream");
    watcher.await(Frames.stdoutContaining("start"), 30_000);

    long t0 = System.nanoTime();
    worker1.kill();
    // within the bound every execution the first worker held is final or on the survivor
    awaitRecords(ids, recs -> recs.values().stream().noneMatch(r -> worker1.instanceId.equals(r.getString("worker"))
      && !isFinal(r)), (MEMBER_TIMEOUT_SECONDS + 5) * 1000L);
    long settledMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(settledMs).isLessThan((MEMBER_TIMEOUT_SECONDS + 5) * 1000L);
    // a stream of a lost execution ends: its frames died with the worker, the record tells
    watcher.awaitEnd(15_000);
    long streamEndedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(watcher.closeCode).as("%s after %d ms", watcher.all(), streamEndedMs).isEqualTo((short) 4010);
    JsonObject error = watcher.awaitType("error", 1_000);
    assertThat(error.getString("code")).isEqualTo("replay_unavailable");
    assertThat(error.getString("message")).contains("/v1/executions/");

    // new executions go to the survivor
    List<CompletableFuture<HttpResponse<String>>> later = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      later.add(submitAsync(gateway, "echo after", true));
    }
    Map<String, JsonObject> done = awaitRecords(ids, recs -> recs.values().stream().allMatch(ClusterIT::isFinal), 120_000);
    for (String id : ranOnW1) {
      JsonObject r = done.get(id);
      assertThat(r.getString("status")).as(r.encode()).isEqualTo("error");
      assertThat(r.getString("message")).contains(worker1.instanceId).contains("left the cluster");
    }
    for (String id : queuedOnW1) {
      JsonObject r = done.get(id);
      assertThat(r.getString("status")).as("re-dispatched: " + r.encode()).isEqualTo("succeeded");
      assertThat(r.getString("worker")).isEqualTo(worker2.instanceId);
      assertThat(r.getString("stdout")).isEqualTo("start\nend\n");
    }
    for (String id : onW2) {
      JsonObject r = done.get(id);
      assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
      assertThat(r.getString("stdout")).isEqualTo("start\nend\n");
    }
    for (CompletableFuture<HttpResponse<String>> f : later) {
      JsonObject r = new JsonObject(f.get(120, TimeUnit.SECONDS).body());
      assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
      assertThat(r.getString("worker")).isEqualTo(worker2.instanceId);
    }
    assertThat(ranOnW1).isNotEmpty();
    assertThat(queuedOnW1).isNotEmpty();

    // the killed JVM's containers outlive it (its sandboxes, its warm one)...
    assertThat(w1Containers).isNotEmpty();
    assertThat(DockerSupport.containers(docker, worker1.instanceId)).extracting(Container::getId)
      .containsAnyElementsOf(w1Containers);
    // ...until the worker starts again with its instance id: it removes them, rejoins and takes work
    worker1 = node("worker", worker1.instanceId, ports.get(1));
    worker1.start();
    gateway.awaitWorkers(2, START_TIMEOUT_MS, worker1);
    assertThat(DockerSupport.containers(docker, worker1.instanceId)).extracting(Container::getId)
      .doesNotContainAnyElementsOf(w1Containers);
    List<CompletableFuture<HttpResponse<String>>> rejoined = new ArrayList<>();
    for (int i = 0; i < 4 * SLOTS; i++) {
      rejoined.add(submitAsync(gateway, "sleep 1; echo again", true));
    }
    Set<String> workers = new java.util.HashSet<>();
    for (CompletableFuture<HttpResponse<String>> f : rejoined) {
      JsonObject r = new JsonObject(f.get(120, TimeUnit.SECONDS).body());
      assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
      workers.add(r.getString("worker"));
    }
    assertThat(workers).contains(worker1.instanceId);
  }

  @Test
  @Order(6)
  void aKilledGatewayLeavesExecutionsRunningAndRecordsReadableElsewhere() throws Exception {
    ClusterNode second = node("gateway", "it-" + run + "-gw2", ports.get(3));
    second.start();
    second.awaitWorkers(2, START_TIMEOUT_MS, gateway);
    String id = new JsonObject(submitAsync(gateway, "echo a; sleep 3; echo b", false).get(60, TimeUnit.SECONDS).body())
      .getString("id");
    gateway.kill();
    JsonObject live = get(second, id);
    assertThat(live.getString("id")).isEqualTo(id);
    Map<String, JsonObject> done = awaitRecords(second, List.of(id), recs -> isFinal(recs.get(id)), 60_000);
    assertThat(done.get(id).getString("status")).isEqualTo("succeeded");
    assertThat(done.get(id).getString("stdout")).isEqualTo("a\nb\n");
    // the remaining gateway takes new work
    JsonObject r = new JsonObject(submitAsync(second, "echo still", true).get(60, TimeUnit.SECONDS).body());
    assertThat(r.getString("stdout")).isEqualTo("still\n");
    gateway = second;
  }

  @Test
  @Order(7)
  void aMemberWithoutAValidCertificateCanNeitherDeliverNorHearAMessage() throws Exception {
    ExecutionJob job = resolver().resolve(ExecutionRequest.script("echo delivered"), false);
    try (RogueMember outsider = RogueMember.join(clusterName, ports, outsiderTls)) {
      // it is a Hazelcast member (that part has no TLS) and sees every node...
      assertThat(outsider.others()).hasSizeGreaterThanOrEqualTo(3);
      // ...but no message crosses: a job sent to each of them fails, whatever the node
      for (String node : outsider.others()) {
        Throwable failure = outsider.vertx.eventBus().request(outsider.addresses.workerAdmit(node), job,
            new DeliveryOptions().setSendTimeout(5_000))
          .transform(ar -> Future.succeededFuture(ar.cause())).await(30, TimeUnit.SECONDS);
        assertThat(failure).as("a message to node %s", node).isNotNull();
      }
      // and the workers' adverts (published every 500 ms) never reach it
      Thread.sleep(2_000);
      assertThat(outsider.workers).isEmpty();
    }
    HttpResponse<String> record = http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + job.id()))
      .header("authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(record.statusCode()).as(record.body()).isEqualTo(404);
    assertThat(DockerSupport.executionContainerExists(docker, job.id())).isFalse();
    assertThat(worker1.logText() + worker2.logText()).doesNotContain("execution=" + job.id());
  }

  @Test
  @Order(8)
  void aForgedJobFromAMemberThatIsNotAGatewayIsCheckedAgainByTheWorker() throws Exception {
    gateway.awaitFreeSlots(2 * SLOTS, 30_000);
    RequestResolver resolver = resolver();
    String finished = new JsonObject(submitAsync(gateway, "echo mine", true).get(60, TimeUnit.SECONDS).body())
      .getString("id");
    try (RogueMember insider = RogueMember.join(clusterName, ports, memberTls)) {
      String worker = insider.awaitWorker(worker2.instanceId, 30_000);
      ExecutionJob valid = resolver.resolve(ExecutionRequest.script("echo forged; sleep 600"), false);
      ResourceLimits l = valid.limits();
      // a forbidden image
      assertThat(refusal(insider, worker, with(valid, valid.id(), "evil.example/pwn:1", l)))
        .isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
      // limits that the engine would read as unlimited
      assertThat(refusal(insider, worker, with(valid, valid.id(), valid.image(), new ResourceLimits(l.timeoutMs(), 0,
        l.cpus(), l.pids(), l.outputBytes())))).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(refusal(insider, worker, with(valid, valid.id(), valid.image(), new ResourceLimits(l.timeoutMs(),
        l.memoryMb(), l.cpus(), -1, l.outputBytes())))).isEqualTo(ErrorCode.INVALID_REQUEST);
      // the id of an execution that ended: its record and stream are not taken over
      assertThat(refusal(insider, worker, with(valid, finished, valid.image(), l))).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);
      assertThat(get(gateway, finished).getString("stdout")).isEqualTo("mine\n");
      for (String id : List.of(valid.id(), finished)) {
        assertThat(DockerSupport.executionContainerExists(docker, id)).as(id).isFalse();
      }

      // far above the worker's maxima: it runs, clamped to them, as the engine shows
      ExecutionJob huge = with(valid, UUID.randomUUID().toString(), valid.image(), new ResourceLimits(3_600_000,
        1 << 20, 64.0, 1 << 20, Long.MAX_VALUE));
      long t0 = System.nanoTime();
      insider.vertx.eventBus().request(insider.addresses.workerAdmit(worker), huge,
        new DeliveryOptions().setSendTimeout(30_000)).await(60, TimeUnit.SECONDS);
      // the record is the cluster's: this member reads it as any other would
      ExecutionStore store = ExecutionStore.open(insider.vertx, insider.addresses.executionsMap(), 60_000)
        .await(10, TimeUnit.SECONDS);
      ExecutionResult running = awaitRecord(store, huge.id(), r -> r.status() != ExecutionStatus.QUEUED
        && r.status() != ExecutionStatus.PULLING && r.status() != ExecutionStatus.STARTING, 30_000);
      assertThat(running.status()).isEqualTo(ExecutionStatus.RUNNING);
      InspectContainerResponse container = awaitContainer(huge.id(), 30_000);
      ResourceLimits max = ResourceLimits.DEFAULT_MAXIMA;
      assertThat(container.getHostConfig().getMemory()).isEqualTo((long) max.memoryMb() << 20);
      assertThat(container.getHostConfig().getMemorySwap()).isEqualTo((long) max.memoryMb() << 20);
      assertThat(container.getHostConfig().getNanoCPUs()).isEqualTo(Math.round(max.cpus() * 1e9));
      assertThat(container.getHostConfig().getPidsLimit()).isEqualTo((long) max.pids());
      assertThat(worker2.logText()).contains("asks more than this worker allows").contains("limits.memoryMb 1048576");
      // and its deadline is the worker's, not the hour it asked for
      ExecutionResult end = awaitRecord(store, huge.id(), r -> r.status().isFinal(), MAX_TIMEOUT_MS + 20_000);
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(MAX_TIMEOUT_MS + 20_000));
      assertThat(end).isNotNull();
      assertThat(end.status()).as(end.toJson().encode()).isEqualTo(ExecutionStatus.TIMEOUT);
      assertThat(end.stdout()).isEqualTo("forged\n");
      assertThat(end.durationMs()).isBetween(MAX_TIMEOUT_MS - 500, MAX_TIMEOUT_MS + 5_000);
    }
  }

  @Test
  @Order(9)
  void aJavaSerializedObjectPlantedInAMapIsNotDeserialized() throws Exception {
    String id = UUID.randomUUID().toString();
    // the classic trigger of deserialization gadget chains, from the JDK itself
    Serializable gadget = new BadAttributeValueExpException("planted");
    try (RogueMember outsider = RogueMember.join(clusterName, ports, outsiderTls)) {
      // no event-bus certificate is needed for the maps: Hazelcast's own traffic has no TLS
      AsyncMap<String, Object> records = outsider.vertx.sharedData().<String, Object>getAsyncMap(
        outsider.addresses.executionsMap()).await(10, TimeUnit.SECONDS);
      // gone in a minute (removing it would read it back, and this member refuses to deserialize it too)
      records.put(id, gadget, 60_000).await(10, TimeUnit.SECONDS);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + id))
        .header("authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
      // the gateway's own words: the class was refused before any of it was read
      assertThat(gateway.logText()).contains("Resolving class " + BadAttributeValueExpException.class.getName()
        + " is not allowed");
    }
  }

  private static RequestResolver resolver() throws Exception {
    return new RequestResolver(new GatewayOptions(new JsonObject(Files.readString(Path.of("conf/config.json")))));
  }

  private static ExecutionJob with(ExecutionJob job, String id, String image, ResourceLimits limits) {
    return new ExecutionJob(id, job.submittedAt(), job.runtime(), image, job.files(), job.stdin(), job.args(), job.env(),
      limits, job.interactive());
  }

  /**
   * @return the error code a worker refuses {@code job} with
   */
  private static ErrorCode refusal(RogueMember member, String worker, ExecutionJob job) throws Exception {
    Throwable failure = member.vertx.eventBus().request(member.addresses.workerAdmit(worker), job,
        new DeliveryOptions().setSendTimeout(10_000))
      .transform(ar -> Future.succeededFuture(ar.cause())).await(30, TimeUnit.SECONDS);
    assertThat(failure).as("%s should be refused", job).isInstanceOf(ReplyException.class);
    ReplyException re = (ReplyException) failure;
    assertThat(re.failureType()).as(re.getMessage()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    return ErrorCode.byNumber(re.failureCode());
  }

  private static ExecutionResult awaitRecord(ExecutionStore store, String id, Predicate<ExecutionResult> done,
                                             long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    ExecutionResult r = null;
    while (System.currentTimeMillis() < deadline) {
      r = store.get(id).await(10, TimeUnit.SECONDS);
      if (r != null && done.test(r)) {
        return r;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("execution " + id + " not as expected within " + timeoutMs + " ms: "
      + (r == null ? "no record" : r.toJson().encode()));
  }

  private InspectContainerResponse awaitContainer(String executionId, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      var found = docker.listContainersCmd().withShowAll(true).withNameFilter(List.of("execgate-" + executionId)).exec();
      if (!found.isEmpty()) {
        return docker.inspectContainerCmd(found.get(0).getId()).exec();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no container of " + executionId + " within " + timeoutMs + " ms");
  }

  private static boolean isFinal(JsonObject r) {
    return r != null && !Set.of("queued", "pulling", "starting", "running").contains(r.getString("status"));
  }

  private static Set<String> ids(Map<String, JsonObject> records, String worker, Set<String> statuses) {
    return records.entrySet().stream()
      .filter(e -> worker.equals(e.getValue().getString("worker")) && statuses.contains(e.getValue().getString("status")))
      .map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  private Map<String, JsonObject> awaitRecords(List<String> ids, java.util.function.Predicate<Map<String, JsonObject>> done,
                                               long timeoutMs) throws Exception {
    return awaitRecords(gateway, ids, done, timeoutMs);
  }

  private Map<String, JsonObject> awaitRecords(ClusterNode via, List<String> ids,
                                               java.util.function.Predicate<Map<String, JsonObject>> done,
                                               long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Map<String, JsonObject> records = new HashMap<>();
    do {
      for (String id : ids) {
        records.put(id, get(via, id));
      }
      if (done.test(records)) {
        return records;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("not within " + timeoutMs + " ms: " + records.values());
  }

  private CompletableFuture<HttpResponse<String>> submitAsync(ClusterNode via, String script, boolean wait) {
    return submitAsync(via, script, wait, KEY);
  }

  private CompletableFuture<HttpResponse<String>> submitAsync(ClusterNode via, String script, boolean wait, String key) {
    return http.sendAsync(HttpRequest.newBuilder(via.uri("/v1/executions" + (wait ? "?wait=true" : "")))
      .header("content-type", "application/json").header("authorization", "Bearer " + key)
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("script", script).encode())).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject get(ClusterNode via, String id) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(via.uri("/v1/executions/" + id))
      .header("authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private Frames connect(ClusterNode via, String uri) throws Exception {
    Frames frames = new Frames();
    frames.ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(via.httpPort).setURI(uri)
        .addHeader("authorization", "Bearer " + KEY))
      .map(ws -> {
        ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
        ws.closeHandler(v -> frames.closed(ws.closeStatusCode(), ws.closeReason()));
        return ws;
      }).await(30, TimeUnit.SECONDS);
    return frames;
  }

  private static void send(Frames frames, JsonObject message) throws Exception {
    frames.ws.writeTextMessage(message.encode()).await(10, TimeUnit.SECONDS);
  }
}
