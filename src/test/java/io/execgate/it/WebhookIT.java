package io.execgate.it;

import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.config.WebhookOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Completion webhooks on the real engine, delivered to a local Vert.x receiver that verifies every
 * signature: delivered once on 2xx, retried after 500s (attempts on the record), a batch's record on
 * batch.completed; refused at submit for a host outside the allow-list and for loopback addresses the
 * allow-list does not name, at delivery for a name that resolves to loopback; a receiver that never
 * answers holds nothing beyond its per-attempt timeout; a redirect is not followed; pending deliveries
 * end with the gateway that held them.
 */
class WebhookIT extends GatewayITBase {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  private static final String ALICE_SECRET = "alice-webhook-secret-" + UUID.randomUUID();
  private static final String DEFAULT_SECRET = "default-webhook-secret-" + UUID.randomUUID();
  private static final long ATTEMPT_TIMEOUT_MS = 1_000;

  /** One request the receiver got. */
  private record Received(String path, MultiMap headers, Buffer body, long at) {
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private HttpServer receiver;
  private int port;

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @Override
  protected GatewayOptions options() {
    if (receiver == null) {
      receiver = await(vertx.createHttpServer().requestHandler(this::receive).listen(0, "127.0.0.1"));
      port = receiver.actualPort();
    }
    GatewayOptions options = super.options();
    options.getAuth()
      .addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0, ApiKey.UNSET, ApiKey.UNSET, false,
        ALICE_SECRET))
      .addKey(new ApiKey("bob", ApiKey.hash(BOB), List.of(), List.of(), 0, 0));
    // the receiver named explicitly; any host on port 9 by wildcard (loopback then refused)
    options.setWebhooks(new WebhookOptions().setSecret(DEFAULT_SECRET)
      .setAllow(List.of("127.0.0.1:" + port, "**:9"))
      .setMaxAttempts(4).setRetryDelayMs(200).setRetryMaxDelayMs(1_000).setTimeoutMs(ATTEMPT_TIMEOUT_MS));
    return options;
  }

  private void receive(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String path = request.path();
      received.add(new Received(path, request.headers(), body, System.currentTimeMillis()));
      int n = hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      if (path.startsWith("/slow/")) {
        // never answers: the gateway's attempt times out
        return;
      }
      if (path.startsWith("/redirect/")) {
        request.response().setStatusCode(302).putHeader("location", "http://127.0.0.1:" + port + "/followed"
          + path).end();
        return;
      }
      boolean fail = path.startsWith("/always500/") || (path.startsWith("/flaky/") && n <= 2);
      request.response().setStatusCode(fail ? 500 : 200).end();
    });
  }

  @AfterAll
  void closeReceiver() {
    if (receiver != null) {
      await(receiver.close());
    }
  }

  private String hook(String kind) {
    return "http://127.0.0.1:" + port + "/" + kind + "/" + UUID.randomUUID();
  }

  private HttpResponse<Buffer> submit(String key, String path, JsonObject body) {
    return await(client.post(path).bearerTokenAuthentication(key).putHeader("content-type", "application/json")
      .sendBuffer(body.toBuffer()));
  }

  private String submitted(String key, String callbackUrl) {
    HttpResponse<Buffer> r = submit(key, "/v1/executions", new JsonObject().put("script", "echo hi")
      .put("callbackUrl", callbackUrl));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    return r.bodyAsJsonObject().getString("id");
  }

  private List<Received> at(String url) {
    String path = url.substring(url.indexOf('/', "http://".length()));
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  private List<Received> awaitReceived(String url, int count, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (at(url).size() < count && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(at(url)).as("deliveries to %s", url).hasSizeGreaterThanOrEqualTo(count);
    return at(url);
  }

  private JsonObject awaitCallback(String key, String path, Predicate<JsonObject> done, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonObject callback = null;
    do {
      JsonObject record = await(client.get(path).bearerTokenAuthentication(key).send()).bodyAsJsonObject();
      callback = record.getJsonObject("callback");
      if (callback != null && done.test(callback)) {
        return callback;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError(path + ": callback still " + callback);
  }

  /**
   * Verifies a delivery as a receiver would: the HMAC-SHA256 of "t.body" under the secret, a recent t.
   */
  private static void assertSigned(Received r, String secret) throws Exception {
    String header = r.headers().get("execgate-signature");
    assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
    long t = Long.parseLong(header.substring(2, header.indexOf(',')));
    String v1 = header.substring(header.indexOf("v1=") + 3);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    assertThat(HexFormat.of().formatHex(mac.doFinal(r.body().getBytes()))).isEqualTo(v1);
    assertThat(Math.abs(System.currentTimeMillis() / 1000 - t)).isLessThan(60);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    // never the caller's credentials
    assertThat(r.headers().contains("authorization")).isFalse();
    assertThat(r.headers().entries().toString()).doesNotContain(ALICE).doesNotContain(BOB);
  }

  @Test
  void aDeliveryIsSignedWithTheKeysSecretAndRecorded() throws Exception {
    String url = hook("ok");
    String id = submitted(ALICE, url);
    Received r = awaitReceived(url, 1, 60_000).get(0);
    assertSigned(r, ALICE_SECRET);
    assertThat(r.headers().get("execgate-event")).isEqualTo("execution.completed");
    assertThat(r.headers().get("execgate-delivery")).matches("[0-9a-f-]{36}");
    JsonObject body = r.body().toJsonObject();
    assertThat(body.getString("id")).isEqualTo(id);
    assertThat(body.getString("status")).isEqualTo("succeeded");
    assertThat(body.getString("stdout")).isEqualTo("hi\n");
    JsonObject callback = awaitCallback(ALICE, "/v1/executions/" + id, c -> c.getBoolean("delivered"), 5_000);
    assertThat(callback.getInteger("attempts")).isEqualTo(1);
    assertThat(callback.getInteger("lastStatus")).isEqualTo(200);
    Thread.sleep(500);
    assertThat(at(url)).as("delivered once").hasSize(1);
  }

  @Test
  void aDeliveryIsRetriedAfterTwo500sWithTheSameDeliveryId() throws Exception {
    String url = hook("flaky");
    String id = submitted(BOB, url);
    List<Received> attempts = awaitReceived(url, 3, 60_000);
    for (Received r : attempts) {
      // a key without a secret of its own: webhooks.secret
      assertSigned(r, DEFAULT_SECRET);
    }
    assertThat(attempts.stream().map(r -> r.headers().get("execgate-delivery")).distinct()).hasSize(1);
    // backoff: 200 ms, then 400 ms, jitter taking at most half off
    assertThat(attempts.get(1).at() - attempts.get(0).at()).isGreaterThanOrEqualTo(90);
    assertThat(attempts.get(2).at() - attempts.get(1).at()).isGreaterThanOrEqualTo(190);
    JsonObject callback = awaitCallback(BOB, "/v1/executions/" + id, c -> c.getBoolean("delivered"), 5_000);
    assertThat(callback.getInteger("attempts")).isEqualTo(3);
    assertThat(callback.getInteger("lastStatus")).isEqualTo(200);
  }

  @Test
  void aBatchDeliversItsRecordOnceEveryExecutionIsFinal() throws Exception {
    String url = hook("ok");
    JsonArray items = new JsonArray();
    for (int i = 0; i < 3; i++) {
      items.add(new JsonObject().put("script", "exit " + i));
    }
    HttpResponse<Buffer> r = submit(ALICE, "/v1/batches", new JsonObject().put("executions", items)
      .put("callbackUrl", url));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    String id = r.bodyAsJsonObject().getString("id");
    Received delivery = awaitReceived(url, 1, 60_000).get(0);
    assertSigned(delivery, ALICE_SECRET);
    assertThat(delivery.headers().get("execgate-event")).isEqualTo("batch.completed");
    JsonObject body = delivery.body().toJsonObject();
    assertThat(body.getString("id")).isEqualTo(id);
    assertThat(body.getString("status")).isEqualTo("done");
    assertThat(body.getJsonObject("counts").getMap()).isEqualTo(Map.of("succeeded", 1, "failed", 2));
    JsonObject callback = awaitCallback(ALICE, "/v1/batches/" + id, c -> c.getBoolean("delivered"), 5_000);
    assertThat(callback.getInteger("attempts")).isEqualTo(1);
  }

  @Test
  void aHostOutsideTheAllowListIsRefusedAtSubmit() {
    for (String url : List.of("https://example.org/hook", "http://127.0.0.1:1/hook", "http://127.0.0.1/hook",
      "ftp://127.0.0.1:" + port + "/x", "http://user:pw@127.0.0.1:" + port + "/x")) {
      HttpResponse<Buffer> r = submit(ALICE, "/v1/executions", new JsonObject().put("script", "true")
        .put("callbackUrl", url));
      assertThat(r.statusCode()).as(url).isIn(400, 403);
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("field")).as(url).isEqualTo("callbackUrl");
      if (r.statusCode() == 403) {
        assertThat(error.getString("code")).isEqualTo("callback_not_allowed");
      }
    }
    // in a batch: the item's index; on the batch: the batch's field
    JsonArray items = new JsonArray().add(new JsonObject().put("script", "true"))
      .add(new JsonObject().put("script", "true").put("callbackUrl", "https://example.org/hook"));
    HttpResponse<Buffer> item = submit(ALICE, "/v1/batches", new JsonObject().put("executions", items));
    assertThat(item.statusCode()).isEqualTo(403);
    assertThat(item.bodyAsJsonObject().getJsonObject("error").getInteger("index")).isEqualTo(1);
    assertThat(item.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("executions[1].callbackUrl");
    HttpResponse<Buffer> batch = submit(ALICE, "/v1/batches", new JsonObject()
      .put("executions", new JsonArray().add(new JsonObject().put("script", "true")))
      .put("callbackUrl", "https://example.org/hook"));
    assertThat(batch.statusCode()).isEqualTo(403);
    assertThat(batch.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("callbackUrl");
  }

  @Test
  void loopbackIsRefusedUnlessTheAllowListNamesIt() throws Exception {
    // "**:9" admits any host on port 9 by wildcard: a loopback literal is refused at submit
    for (String url : List.of("http://127.0.0.2:9/x", "http://[::1]:9/x", "http://[::ffff:127.0.0.1]:9/x",
      "http://169.254.169.254:9/latest")) {
      HttpResponse<Buffer> r = submit(ALICE, "/v1/executions", new JsonObject().put("script", "true")
        .put("callbackUrl", url));
      assertThat(r.statusCode()).as(url).isEqualTo(403);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("callback_not_allowed");
    }
    // a name is checked when it is resolved, at delivery: localhost is loopback, refused, never retried
    String id = submitted(ALICE, "http://localhost:9/x");
    JsonObject callback = awaitCallback(ALICE, "/v1/executions/" + id, c -> c.getInteger("attempts") > 0, 60_000);
    assertThat(callback.getBoolean("delivered")).isFalse();
    assertThat(callback.getString("error")).contains("loopback");
    Thread.sleep(600);
    assertThat(awaitCallback(ALICE, "/v1/executions/" + id, c -> true, 1_000).getInteger("attempts")).isEqualTo(1);
    // named explicitly (the receiver's 127.0.0.1:port): delivered, as the other tests show
  }

  @Test
  void aReceiverThatNeverAnswersHoldsNothingBeyondItsAttemptTimeout() throws Exception {
    String slow = hook("slow");
    String slowId = submitted(ALICE, slow);
    awaitReceived(slow, 1, 60_000);
    // meanwhile another delivery goes through at once
    String ok = hook("ok");
    long start = System.currentTimeMillis();
    submitted(ALICE, ok);
    awaitReceived(ok, 1, 30_000);
    long okMs = System.currentTimeMillis() - start;
    long health = System.currentTimeMillis();
    assertThat(await(client.get("/health").send()).statusCode()).isEqualTo(200);
    assertThat(System.currentTimeMillis() - health).isLessThan(500);
    JsonObject first = awaitCallback(ALICE, "/v1/executions/" + slowId, c -> c.getInteger("attempts") >= 1, 5_000);
    assertThat(first.getValue("lastStatus")).isNull();
    // four attempts of 1 s each and their delays, then it gives up
    JsonObject last = awaitCallback(ALICE, "/v1/executions/" + slowId, c -> c.getInteger("attempts") == 4, 15_000);
    assertThat(last.getBoolean("delivered")).isFalse();
    assertThat(at(slow)).hasSize(4);
    LoggerFactory.getLogger(WebhookIT.class).info("submit to delivery while a receiver is silent: {} ms",
      okMs);
  }

  @Test
  void aRedirectIsNotFollowed() throws Exception {
    String url = hook("redirect");
    String id = submitted(ALICE, url);
    awaitReceived(url, 1, 60_000);
    JsonObject callback = awaitCallback(ALICE, "/v1/executions/" + id, c -> c.getInteger("attempts") >= 1, 5_000);
    assertThat(callback.getInteger("lastStatus")).isEqualTo(302);
    assertThat(callback.getBoolean("delivered")).isFalse();
    Thread.sleep(1_000);
    assertThat(received.stream().filter(r -> r.path().startsWith("/followed/"))).isEmpty();
    assertThat(at(url)).as("a redirect is final, not retried").hasSize(1);
  }

  @Test
  void pendingDeliveriesEndWithTheGatewayThatHeldThem() throws Exception {
    // a second gateway whose receiver always fails: its retries stop when it closes (documented as lost)
    Vertx other = Vertx.vertx();
    GatewayOptions options = options().setInstanceId(instanceId + "-2");
    options.getHttp().setPort(0);
    options.getWebhooks().setRetryDelayMs(500).setMaxAttempts(10);
    ExecutionGateway second = await(ExecutionGateway.deploy(other, options));
    try {
      String url = hook("always500");
      HttpResponse<Buffer> r = await(WebClient.create(other).post(second.actualPort(),
          "127.0.0.1", "/v1/executions").bearerTokenAuthentication(ALICE).putHeader("content-type", "application/json")
        .sendBuffer(new JsonObject().put("script", "echo hi").put("callbackUrl", url).toBuffer()));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
      awaitReceived(url, 2, 60_000);
      await(second.close());
      int after = at(url).size();
      Thread.sleep(2_000);
      assertThat(at(url)).as("no attempt after the gateway closed").hasSize(after);
    } finally {
      await(second.close());
      await(other.close());
      assertThat(DockerSupport.awaitNoContainers(docker, instanceId + "-2", 10_000)).isEmpty();
    }
  }
}
