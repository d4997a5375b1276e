package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.config.ClusterTlsOptions;
import io.execgate.error.ErrorCode;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ResourceLimits;
import io.execgate.model.SessionCall;
import io.execgate.model.SessionSpec;
import io.execgate.request.RequestResolver;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions in a cluster, on the runnable jar: a gateway-only node and two workers on this machine's
 * engine, their event bus on TLS. A session lives on one worker, which its id names: created through
 * the gateway (a key's sessions spread over the workers), its executions, files, list, WebSocket runs
 * and delete all reach that worker, its files persist across executions there, byte-exact; another
 * key's id, or a made-up one, is 404 on every route. A member with the cluster's certificate that is no
 * gateway forges session calls: a create is checked again by the worker's rules, and a job that names
 * a session it was not handed is refused. Stopping a worker ends its sessions: their calls answer
 * {@code 410 worker_lost} within seconds, another key still 404, and no container of that worker is left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSessionIT {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  /** An admin key: it reads the gateway's /metrics. */
  private static final String OPS = ApiKey.generate();
  private static final Logger log = LoggerFactory.getLogger(ClusterSessionIT.class);
  private static final long START_TIMEOUT_MS = 180_000;
  /** How long a stopped worker's session may take to answer worker_lost. */
  private static final long LOST_WITHIN_MS = 15_000;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String clusterName = "it-sessions-" + run;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ClusterNode> nodes = new ArrayList<>();
  private List<Integer> ports;
  private DockerClient docker;
  private Vertx vertx;
  private WebSocketClient wsClient;
  private ClusterNode gateway;
  private ClusterNode worker1;
  private ClusterNode worker2;
  private Path certs;
  private ClusterTlsOptions memberTls;
  private ClusterTlsOptions outsiderTls;
  /** Alice's two sessions, one per worker, and which worker (instance id) holds each. */
  private String first;
  private String second;
  private String firstWorker;
  private String secondWorker;

  @BeforeAll
  void startCluster() throws Exception {
    DockerSupport.requireDocker();
    docker = DockerSupport.client();
    vertx = Vertx.vertx();
    wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setDefaultHost("127.0.0.1"));
    ports = List.of(ClusterNode.freePort(), ClusterNode.freePort(), ClusterNode.freePort());
    certs = Files.createTempDirectory("execgate-it-certs");
    TestCertificates authority = TestCertificates.authority("execgate-it-" + run);
    Path trust = authority.trustStore(certs);
    memberTls = tls(authority.nodeKeyStore(certs, "member"), trust);
    outsiderTls = tls(TestCertificates.authority("outsider-" + run).nodeKeyStore(certs, "outsider"), trust);
    JsonObject settings = new JsonObject()
      .put("executor", new JsonObject().put("maxConcurrent", 2)
        .put("pool", new JsonObject().put("size", 1).put("runtimes", new JsonArray().add("sh"))))
      .put("cluster", new JsonObject().put("memberTimeoutSeconds", 6).put("advertiseIntervalMs", 500)
        .put("tls", memberTls.toJson()))
      .put("auth", new JsonObject().put("keys", new JsonArray()
        .add(new JsonObject().put("id", "alice").put("sha256", ApiKey.hash(ALICE)))
        .add(new JsonObject().put("id", "bob").put("sha256", ApiKey.hash(BOB)))
        .add(new JsonObject().put("id", "ops").put("sha256", ApiKey.hash(OPS)).put("admin", true))))
      .put("gatewayAuth", new JsonObject().put("tokenSecret", ApiKey.generate()))
      .put("apiKey", OPS);
    gateway = node("gateway", "it-" + run + "-gw", ports.get(0), settings);
    worker1 = node("worker", "it-" + run + "-w1", ports.get(1), settings);
    worker2 = node("worker", "it-" + run + "-w2", ports.get(2), settings);
    for (ClusterNode n : nodes) {
      n.start();
    }
    gateway.awaitWorkers(2, START_TIMEOUT_MS, worker1, worker2);
  }

  private static ClusterTlsOptions tls(Path keyStore, Path trustStore) {
    return new ClusterTlsOptions().setEnabled(true).setKeyStore(keyStore.toString())
      .setKeyStorePassword(TestCertificates.PASSWORD).setTrustStore(trustStore.toString())
      .setTrustStorePassword(TestCertificates.PASSWORD);
  }

  private ClusterNode node(String role, String instanceId, int port, JsonObject settings) throws Exception {
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
      for (ClusterNode n : nodes) {
        assertThat(DockerSupport.awaitNoContainers(docker, n.instanceId, 30_000)).as("containers of " + n.instanceId)
          .isEmpty();
      }
    } finally {
      for (ClusterNode n : nodes) {
        if (n.alive()) {
          n.kill();
        }
        DockerSupport.removeAll(docker, n.instanceId);
      }
      docker.close();
      vertx.close().await(10, TimeUnit.SECONDS);
      TestImages.deleteTree(certs);
    }
  }

  private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(60))
      .header("authorization", "Bearer " + key)
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> sendBytes(String method, String path, String key, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(60))
      .header("authorization", "Bearer " + key)
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
      .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonObject exec(String id, String script) throws Exception {
    HttpResponse<String> r = send("POST", "/v1/sessions/" + id + "/executions?wait=true", ALICE,
      new JsonObject().put("script", script).put("queue", true).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private static String code(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonObject("error").getString("code");
  }

  private String create(JsonObject body) throws Exception {
    HttpResponse<String> r = send("POST", "/v1/sessions", ALICE, body.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject s = new JsonObject(r.body());
    assertThat(s.getString("status")).isEqualTo("ready");
    // the id names its worker: s, 24 hex, a dash, the worker's node id without its dashes
    assertThat(s.getString("id")).matches("s[0-9a-f]{24}-[0-9a-f]{32}");
    return s.getString("id");
  }

  @Test
  @Order(1)
  void aSessionLivesOnOneWorkerAndEveryCallReachesIt() throws Exception {
    first = create(new JsonObject().put("language", "sh"));
    second = create(new JsonObject().put("language", "sh"));
    // a key's sessions spread over the workers
    assertThat(first.substring(26)).isNotEqualTo(second.substring(26));

    JsonObject one = exec(first, "echo one > a.txt; echo $((6 * 7))");
    assertThat(one.getString("status")).as(one.encode()).isEqualTo("succeeded");
    assertThat(one.getString("stdout")).isEqualTo("42\n");
    JsonObject two = exec(first, "cat a.txt; pwd");
    assertThat(two.getString("stdout")).as(two.encode()).isEqualTo("one\n/tmp/work\n");
    firstWorker = one.getString("worker");
    assertThat(two.getString("worker")).isEqualTo(firstWorker);
    JsonObject other = exec(second, "[ -e a.txt ] && echo has-a || echo other");
    assertThat(other.getString("stdout")).as("the other session's sandbox is another").isEqualTo("other\n");
    secondWorker = other.getString("worker");
    assertThat(Set.of(firstWorker, secondWorker)).containsExactlyInAnyOrder(worker1.instanceId, worker2.instanceId);
    // the execution's record and its routes afterwards are those of any execution
    HttpResponse<String> record = send("GET", "/v1/executions/" + one.getString("id"), ALICE, null);
    assertThat(new JsonObject(record.body()).getString("stdout")).isEqualTo("42\n");

    // files in and out, byte-exact, through the sandbox on its worker
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    HttpResponse<byte[]> put = sendBytes("PUT", "/v1/sessions/" + first + "/files/bin.dat", ALICE, binary);
    assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(201);
    JsonObject read = exec(first, "wc -c < bin.dat; od -An -tx1 -j255 bin.dat; head -c 3 /dev/zero > zeros");
    assertThat(read.getString("stdout").replace(" ", "")).isEqualTo("256\nff\n");
    HttpResponse<byte[]> back = sendBytes("GET", "/v1/sessions/" + first + "/files/bin.dat", ALICE, null);
    assertThat(back.statusCode()).isEqualTo(200);
    assertThat(back.body()).isEqualTo(binary);
    assertThat(sendBytes("GET", "/v1/sessions/" + first + "/files/zeros", ALICE, null).body()).isEqualTo(new byte[3]);
    HttpResponse<String> files = send("GET", "/v1/sessions/" + first + "/files", ALICE, null);
    assertThat(files.statusCode()).as(files.body()).isEqualTo(200);
    assertThat(files.body()).contains("\"a.txt\"").contains("\"zeros\"");
    assertThat(send("DELETE", "/v1/sessions/" + first + "/files/zeros", ALICE, null).statusCode()).isEqualTo(204);
    assertThat(send("GET", "/v1/sessions/" + first + "/files/zeros", ALICE, null).statusCode()).isEqualTo(404);

    // the list merges the key's sessions of every worker
    HttpResponse<String> list = send("GET", "/v1/sessions", ALICE, null);
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    assertThat(new JsonObject(list.body()).getJsonArray("sessions").stream().map(s -> ((JsonObject) s).getString("id")))
      .containsExactlyInAnyOrder(first, second);
    assertThat(new JsonObject(send("GET", "/v1/sessions", BOB, null).body()).getJsonArray("sessions")).isEmpty();

    // a WebSocket run in a session, through the gateway
    Frames ws = connect(ALICE);
    ws.ws.writeTextMessage(new JsonObject().put("type", "run").put("session", first)
      .put("script", "cat a.txt; echo ws > w.txt").encode()).await(10, TimeUnit.SECONDS);
    JsonObject exit = ws.awaitExit(60_000);
    assertThat(exit.getInteger("exitCode")).as(ws.all().toString()).isEqualTo(0);
    assertThat(ws.stdout()).isEqualTo("one\n");
    assertThat(exec(first, "cat w.txt").getString("stdout")).isEqualTo("ws\n");
    ws.ws.close();
  }

  @Test
  @Order(2)
  void anotherKeysOrAMadeUpIdIsNotFoundOnEveryRoute() throws Exception {
    String other = first.substring(0, 26) + second.substring(26);
    String malformed = "s" + "0".repeat(24) + "-nothex";
    for (String id : List.of(first, second)) {
      assertNotFound(id, BOB);
    }
    // a made-up id, naming a live worker, or none: the answer of an unknown id
    assertNotFound(other, ALICE);
    assertNotFound(malformed, ALICE);
    assertNotFound("s" + "0".repeat(24) + "-" + UUID.randomUUID().toString().replace("-", ""), ALICE);
    // and alice's sessions are untouched
    assertThat(exec(first, "cat a.txt").getString("stdout")).isEqualTo("one\n");
  }

  private void assertNotFound(String id, String key) throws Exception {
    String base = "/v1/sessions/" + id;
    List<HttpResponse<String>> answers = List.of(
      send("GET", base, key, null),
      send("POST", base + "/executions", key, new JsonObject().put("script", "rm -rf *").encode()),
      send("GET", base + "/files", key, null),
      send("GET", base + "/files/a.txt", key, null),
      send("PUT", base + "/files/a.txt", key, "x"),
      send("DELETE", base + "/files/a.txt", key, null),
      send("POST", base + "/restart", key, null),
      send("DELETE", base, key, null));
    for (HttpResponse<String> r : answers) {
      assertThat(r.statusCode()).as("%s %s: %s", r.request().method(), r.uri(), r.body()).isEqualTo(404);
      assertThat(code(r)).isEqualTo("not_found");
    }
    Frames ws = connect(key);
    ws.ws.writeTextMessage(new JsonObject().put("type", "run").put("session", id).put("script", "true").encode())
      .await(10, TimeUnit.SECONDS);
    assertThat(ws.await(Frames.ofType("error"), 30_000).getString("code")).isEqualTo("not_found");
    ws.ws.close();
  }

  @Test
  @Order(3)
  void aStatefulPythonSessionKeepsItsVariablesOnItsWorker() throws Exception {
    HttpResponse<String> r = send("POST", "/v1/sessions", ALICE, new JsonObject().put("language", "python")
      .put("stateful", true).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = new JsonObject(r.body()).getString("id");
    try {
      assertThat(exec(id, "x = 41").getString("status")).isEqualTo("succeeded");
      JsonObject cell = exec(id, "x + 1");
      assertThat(cell.getString("stdout")).as(cell.encode()).isEqualTo("42\n");
    } finally {
      assertThat(send("DELETE", "/v1/sessions/" + id, ALICE, null).statusCode()).isEqualTo(204);
    }
    HttpResponse<String> ended = send("GET", "/v1/sessions/" + id, ALICE, null);
    assertThat(ended.statusCode()).as(ended.body()).isEqualTo(410);
    assertThat(code(ended)).isEqualTo("session_ended");
  }

  @Test
  @Order(4)
  void aMemberThatIsNotAGatewayCannotForgeItsWayIntoASession() throws Exception {
    RequestResolver resolver = new RequestResolver(new GatewayOptions(new JsonObject(Files.readString(
      Path.of("conf/config.json")))));
    ExecutionJob valid = resolver.resolve(ExecutionRequest.script("echo forged > a.txt"), false);
    ResourceLimits l = valid.limits();
    try (RogueMember insider = RogueMember.join(clusterName, ports, memberTls)) {
      String node = insider.awaitWorker(firstWorker, 30_000);
      String address = insider.addresses.workerSession(node);
      // a create with an image the worker's policy refuses, or limits the engine would read as unlimited
      SessionSpec evil = new SessionSpec(valid.runtime(), "evil.example/pwn:1", Map.of(), l, 60, 60, false);
      assertThat(refusal(insider, address, new SessionCall(SessionCall.Action.CREATE, "mallory", false, null, evil,
        null, null, null, false))).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
      SessionSpec unlimited = new SessionSpec(valid.runtime(), valid.image(), Map.of(), new ResourceLimits(l.timeoutMs(),
        0, l.cpus(), -1, l.outputBytes()), 60, 60, false);
      assertThat(refusal(insider, address, new SessionCall(SessionCall.Action.CREATE, "mallory", false, null,
        unlimited, null, null, null, false))).isEqualTo(ErrorCode.INVALID_REQUEST);
      // a job that names alice's session without having been handed it: refused, her files untouched
      ExecutionJob intrusion = new ExecutionJob(valid.id(), valid.submittedAt(), valid.runtime(), valid.image(),
        valid.files(), null, List.of(), Map.of(), l, false, "mallory", null, List.of(), first);
      assertThat(refusal(insider, insider.addresses.workerAdmit(node), intrusion)).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(worker1.logText() + worker2.logText()).contains("which is not held for it");
    }
    try (RogueMember outsider = RogueMember.join(clusterName, ports, outsiderTls)) {
      // without the cluster's certificate no message gets through at all
      for (String node : outsider.others()) {
        Throwable failure = outsider.vertx.eventBus().request(outsider.addresses.workerSession(node),
            SessionCall.of(SessionCall.Action.GET, "alice", true, first), new DeliveryOptions().setSendTimeout(5_000))
          .transform(ar -> Future.succeededFuture(ar.cause())).await(30, TimeUnit.SECONDS);
        assertThat(failure).as("a session call to node %s", node).isNotNull();
      }
    }
    assertThat(exec(first, "cat a.txt").getString("stdout")).isEqualTo("one\n");
  }

  private static ErrorCode refusal(RogueMember member, String address, Object body) throws Exception {
    Throwable failure = member.vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(30_000))
      .transform(ar -> Future.succeededFuture(ar.cause())).await(60, TimeUnit.SECONDS);
    assertThat(failure).as("%s should be refused", body).isInstanceOf(ReplyException.class);
    ReplyException re = (ReplyException) failure;
    assertThat(re.failureType()).as(re.getMessage()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    return ErrorCode.byNumber(re.failureCode());
  }

  @Test
  @Order(5)
  void aStoppedWorkersSessionsAnswerWorkerLostAndLeaveNoContainer() throws Exception {
    ClusterNode holder = worker1.instanceId.equals(firstWorker) ? worker1 : worker2;
    long t0 = System.currentTimeMillis();
    Thread stopping = new Thread(() -> {
      try {
        holder.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    stopping.start();
    // while it stops and after: an answer every time, 200 or 410, then worker_lost
    Set<String> seen = new HashSet<>();
    HttpResponse<String> r;
    while (true) {
      r = send("GET", "/v1/sessions/" + first, ALICE, null);
      seen.add(r.statusCode() + (r.statusCode() == 410 ? " " + code(r) : ""));
      assertThat(r.statusCode()).as(r.body()).isIn(200, 410);
      if (r.statusCode() == 410 && code(r).equals("worker_lost")) {
        break;
      }
      assertThat(System.currentTimeMillis() - t0).as("worker_lost within %d ms, seen %s", LOST_WITHIN_MS, seen)
        .isLessThan(LOST_WITHIN_MS);
      Thread.sleep(100);
    }
    long lostAfter = System.currentTimeMillis() - t0;
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message")).contains(holder.instanceId);
    stopping.join(90_000);
    assertThat(holder.alive()).isFalse();
    // every route of it, at once: 410 for alice, 404 for bob
    HttpResponse<String> exec = send("POST", "/v1/sessions/" + first + "/executions?wait=true", ALICE,
      new JsonObject().put("script", "true").encode());
    assertThat(exec.statusCode()).as(exec.body()).isEqualTo(410);
    assertThat(code(exec)).isEqualTo("worker_lost");
    assertThat(code(send("GET", "/v1/sessions/" + first + "/files/a.txt", ALICE, null))).isEqualTo("worker_lost");
    assertThat(send("GET", "/v1/sessions/" + first, BOB, null).statusCode()).isEqualTo(404);
    assertThat(DockerSupport.awaitNoContainers(docker, holder.instanceId, 30_000)).isEmpty();
    // the other worker's session, the list and new sessions go on
    assertThat(exec(second, "echo still").getString("stdout")).isEqualTo("still\n");
    assertThat(new JsonObject(send("GET", "/v1/sessions", ALICE, null).body()).getJsonArray("sessions").stream()
      .map(s -> ((JsonObject) s).getString("id"))).containsExactly(second);
    String fresh = create(new JsonObject().put("language", "sh"));
    assertThat(exec(fresh, "echo fresh").getString("worker")).isEqualTo(secondWorker);
    log.info("worker_lost answered {} ms after SIGTERM; answers seen: {}", lostAfter, seen);
  }

  private Frames connect(String key) throws Exception {
    Frames frames = new Frames();
    frames.ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.httpPort)
        .setURI("/v1/ws").addHeader("authorization", "Bearer " + key))
      .map(ws -> {
        ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
        ws.closeHandler(v -> frames.closed(ws.closeStatusCode(), ws.closeReason()));
        return ws;
      }).await(30, TimeUnit.SECONDS);
    return frames;
  }
}
