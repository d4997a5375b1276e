package io.execgate.it;

import io.execgate.auth.ApiKey;
import io.execgate.bus.Addresses;
import io.execgate.cluster.ClusterSupport;
import io.execgate.config.ClusterOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenancy in a cluster, on the runnable jar: a gateway (holding the token secret) and a worker (not
 * holding it), and a third member that is no gateway at all, an attacker's Hazelcast member in this
 * JVM that reads and writes the cluster's maps. Records and live entries carry their owner, another
 * key gets 404 through the gateway; the tokens map holds hashes only, and no entry the member writes
 * or rewrites authenticates at the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTenancyIT {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  private static final String OPS = ApiKey.generate();
  private static final long START_TIMEOUT_MS = 180_000;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Addresses addresses = new Addresses("execgate");
  private final List<ClusterNode> nodes = new ArrayList<>();
  private ClusterNode gateway;
  private ClusterNode worker;
  private Vertx member;

  @BeforeAll
  void startCluster() throws Exception {
    DockerSupport.requireDocker();
    List<Integer> ports = List.of(ClusterNode.freePort(), ClusterNode.freePort(), ClusterNode.freePort());
    String clusterName = "it-tenancy-" + run;
    JsonObject settings = new JsonObject()
      .put("executor", new JsonObject().put("maxConcurrent", 2)
        .put("pool", new JsonObject().put("size", 1).put("runtimes", new JsonArray().add("sh"))))
      .put("cluster", new JsonObject().put("advertiseIntervalMs", 500))
      .put("auth", new JsonObject().put("keys", new JsonArray()
        .add(new JsonObject().put("id", "alice").put("sha256", ApiKey.hash(ALICE)))
        .add(new JsonObject().put("id", "bob").put("sha256", ApiKey.hash(BOB)))
        .add(new JsonObject().put("id", "ops").put("sha256", ApiKey.hash(OPS)).put("admin", true))))
      .put("gatewayAuth", new JsonObject().put("tokenSecret", ApiKey.generate()))
      .put("apiKey", OPS);
    gateway = new ClusterNode("gateway", "it-" + run + "-gw", ports.get(0), ports, clusterName, settings);
    worker = new ClusterNode("worker", "it-" + run + "-w", ports.get(1), ports, clusterName, settings);
    nodes.add(gateway);
    nodes.add(worker);
    gateway.start();
    worker.start();
    gateway.awaitWorkers(1, START_TIMEOUT_MS, worker);
    // the attacker: a plain member of the cluster's network, with the cluster's name and nothing else
    ClusterOptions cluster = new ClusterOptions().setEnabled(true).setName(clusterName).setHost("127.0.0.1")
      .setPort(ports.get(2)).setPortCount(1).setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    member = ClusterSupport.configure(Vertx.builder(), new VertxOptions(), cluster).buildClustered()
      .await(120, TimeUnit.SECONDS);
  }

  @AfterAll
  void stopCluster() throws Exception {
    try {
      if (member != null) {
        member.close().await(30, TimeUnit.SECONDS);
      }
      for (ClusterNode n : nodes) {
        assertThat(n.stop()).as("%s stops on SIGTERM", n.instanceId).isTrue();
      }
    } finally {
      try (var docker = DockerSupport.client()) {
        for (ClusterNode n : nodes) {
          if (n.alive()) {
            n.kill();
          }
          assertThat(DockerSupport.awaitNoContainers(docker, n.instanceId, 30_000)).as(n.instanceId).isEmpty();
          DockerSupport.removeAll(docker, n.instanceId);
        }
      }
    }
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(60));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String key, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(60))
      .header("authorization", "Bearer " + key).header("content-type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> delete(String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(60)).DELETE()
      .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String submit(String key, String script) throws Exception {
    HttpResponse<String> r = post("/v1/executions", key, new JsonObject().put("script", script));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return new JsonObject(r.body()).getString("id");
  }

  private JsonObject awaitFinal(String id, String key) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      HttpResponse<String> r = get("/v1/executions/" + id, key);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject record = new JsonObject(r.body());
      if (!List.of("queued", "pulling", "starting", "running").contains(record.getString("status"))) {
        return record;
      }
      assertThat(System.currentTimeMillis()).as("%s ends", id).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private <K, V> AsyncMap<K, V> map(String name) throws Exception {
    return member.sharedData().<K, V>getAsyncMap(name).await(30, TimeUnit.SECONDS);
  }

  @Test
  void recordsAndLiveEntriesCarryTheirOwnerAndAnotherKeyGetsNotFound() throws Exception {
    String id = submit(ALICE, "echo started; sleep 3; echo done");
    AsyncMap<String, JsonObject> live = map(addresses.liveMap());
    long deadline = System.currentTimeMillis() + 30_000;
    JsonObject entry;
    while ((entry = live.get(id).await(10, TimeUnit.SECONDS)) == null) {
      assertThat(System.currentTimeMillis()).as("a live entry of %s", id).isLessThan(deadline);
      Thread.sleep(50);
    }
    assertThat(entry.getString("owner")).isEqualTo("alice");
    assertThat(get("/v1/executions/" + id, BOB).statusCode()).isEqualTo(404);
    assertThat(delete("/v1/executions/" + id, BOB).statusCode()).isEqualTo(404);
    assertThat(get("/v1/executions/" + id + "/events", BOB).statusCode()).isEqualTo(404);
    JsonObject end = awaitFinal(id, ALICE);
    assertThat(end.getString("status")).as(end.encode()).isEqualTo("succeeded");
    assertThat(end.getString("worker")).isEqualTo(worker.instanceId);
    assertThat(end.getString("owner")).isEqualTo("alice");
    JsonObject stored = this.<String, JsonObject>map(addresses.executionsMap()).get(id).await(10, TimeUnit.SECONDS);
    assertThat(stored.getString("owner")).isEqualTo("alice");
    assertThat(get("/v1/executions/" + id, BOB).statusCode()).isEqualTo(404);
    assertThat(get("/v1/executions/" + id, OPS).statusCode()).isEqualTo(200);
  }

  @Test
  void aMemberThatIsNotAGatewayCannotForgeAToken() throws Exception {
    String alices = submit(ALICE, "echo alice-output");
    String bobs = submit(BOB, "echo bob-secret");
    awaitFinal(alices, ALICE);
    awaitFinal(bobs, BOB);
    HttpResponse<String> issued = post("/v1/tokens", ALICE, new JsonObject());
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    String token = new JsonObject(issued.body()).getString("token");
    String bobsEvents = "/v1/executions/" + bobs + "/events?token=";
    assertThat(get("/v1/executions/" + alices + "/events?token=" + token, null).statusCode()).isEqualTo(200);
    assertThat(get(bobsEvents + token, null).statusCode()).isEqualTo(404);

    // the member reads the tokens map: hashes, never a token
    AsyncMap<String, JsonObject> tokens = map("execgate.tokens");
    Map<String, JsonObject> entries = tokens.entries().await(10, TimeUnit.SECONDS);
    assertThat(entries).containsKey(ApiKey.hash(token));
    for (Map.Entry<String, JsonObject> e : entries.entrySet()) {
      assertThat(e.getKey()).matches("[0-9a-f]{64}").isNotEqualTo(token);
      assertThat(e.getValue().encode()).doesNotContain(token);
      assertThat(get(bobsEvents + e.getKey(), null).statusCode()).isEqualTo(401);
      assertThat(get(bobsEvents + "egt_" + e.getKey(), null).statusCode()).isEqualTo(401);
    }

    // rewriting alice's entry to name the admin key, or to live longer, breaks it
    JsonObject genuine = entries.get(ApiKey.hash(token));
    tokens.put(ApiKey.hash(token), genuine.copy().put("key", "ops")).await(10, TimeUnit.SECONDS);
    assertThat(get(bobsEvents + token, null).statusCode()).isEqualTo(401);
    tokens.put(ApiKey.hash(token), genuine.copy().put("expiresAt", genuine.getLong("expiresAt") + 86_400_000L))
      .await(10, TimeUnit.SECONDS);
    assertThat(get("/v1/executions/" + alices + "/events?token=" + token, null).statusCode()).isEqualTo(401);

    // a token of its own making, in the map's current shape with a made-up signature, or as the map used to hold them
    String forged = "egt_" + ApiKey.generate();
    byte[] mac = new byte[32];
    new java.security.SecureRandom().nextBytes(mac);
    tokens.put(ApiKey.hash(forged), new JsonObject().put("key", "ops").put("execution", null)
      .put("expiresAt", System.currentTimeMillis() + 3_600_000L).put("mac", Base64.getEncoder().encodeToString(mac)))
      .await(10, TimeUnit.SECONDS);
    tokens.put(forged, new JsonObject().put("key", "ops")).await(10, TimeUnit.SECONDS);
    assertThat(get(bobsEvents + forged, null).statusCode()).isEqualTo(401);
    HttpResponse<String> forgedAsBearer = get(bobsEvents.replace("?token=", ""), forged);
    assertThat(forgedAsBearer.statusCode()).as(forgedAsBearer.body()).isEqualTo(401);
    // a token stays a token: a forged one never reaches the routes that need a key
    assertThat(get("/metrics?token=" + forged, null).statusCode()).isEqualTo(403);
    assertThat(get("/metrics", forged).statusCode()).isEqualTo(403);

    // and the gateway still issues tokens that work
    String fresh = new JsonObject(post("/v1/tokens", ALICE, new JsonObject()).body()).getString("token");
    assertThat(get("/v1/executions/" + alices + "/events?token=" + fresh, null).statusCode()).isEqualTo(200);
    assertThat(gateway.logText()).contains("does not carry the gateways' signature");
  }
}
