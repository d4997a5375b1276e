package io.execgate.it;

import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys, tokens, per-key restrictions, quotas and rates, idempotent submits, CORS and WebSocket
 * origins, on a gateway with keys configured.
 */
class AuthIT extends GatewayITBase {

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @AfterAll
  void theResponsesWereCheckedAgainstOpenApi() {
    assertThat(openApi.checked()).contains("submitExecution 401", "submitExecution 403", "submitExecution 429",
      "listRuntimes 200", "listRuntimes 403", "listRuntimes 429", "health 200", "issueToken 201",
      "ready 401", "metrics 200", "pistonRuntimes 401");
  }

  private static final String ADMIN = ApiKey.generate();
  private static final String LIMITED = ApiKey.generate();
  private static final String SLOW = ApiKey.generate();

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getAuth()
      .addKey(new ApiKey("admin", ApiKey.hash(ADMIN), List.of(), List.of(), 0, 0).withAdmin(true))
      .addKey(new ApiKey("limited", ApiKey.hash(LIMITED), List.of("sh"), List.of("execgate/busybox:*"), 1, 0))
      .addKey(new ApiKey("slow", ApiKey.hash(SLOW), List.of(), List.of(), 0, 3))
      .setCorsOrigins(List.of("https://app.example"));
    return options;
  }

  private HttpRequest<Buffer> as(HttpRequest<Buffer> request, String key) {
    return key == null ? request : request.bearerTokenAuthentication(key);
  }

  private HttpResponse<Buffer> submit(String key, JsonObject body, String query) {
    return await(as(client.post("/v1/executions" + query), key).putHeader("content-type", "application/json")
      .sendBuffer(body.toBuffer()));
  }

  private static String code(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  @Test
  void withoutAKeyOnlyHealthAndThePageAnswer() {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(get("/openapi.json").bodyAsJsonObject().getString("openapi")).isEqualTo("3.1.0");
    assertThat(get("/docs/").bodyAsString()).contains("swagger-ui-bundle.js");
    assertThat(get("/docs/swagger-ui-bundle.js").statusCode()).isEqualTo(200);
    // every path under /api/v2, known or not, answers in Piston's shape
    for (String path : List.of("/api/v2/runtimes", "/api/v2/packages", "/api/v2/piston/runtimes", "/api/v2/nope")) {
      HttpResponse<Buffer> piston = get(path);
      assertThat(piston.statusCode()).as(path).isEqualTo(401);
      assertThat(piston.bodyAsJsonObject().fieldNames()).as(path).containsExactly("message");
      assertThat(piston.bodyAsJsonObject().getString("message")).as(path).contains("API key");
    }
    // an orchestrator's probe needs no key (auth.openReady) and learns the status only
    HttpResponse<Buffer> ready = get("/ready");
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getMap()).isEqualTo(java.util.Map.of("ready", true));
    HttpResponse<Buffer> detailed = await(as(client.get("/ready"), ADMIN).send());
    assertThat(detailed.bodyAsJsonObject().getJsonObject("checks").getBoolean("docker")).isTrue();
    assertThat(await(as(client.get("/ready"), ApiKey.generate()).send()).statusCode()).isEqualTo(401);
    for (String path : List.of("/v1/runtimes", "/metrics", "/v1/images",
      "/v1/executions/00000000-0000-0000-0000-000000000000")) {
      HttpResponse<Buffer> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.getHeader("www-authenticate")).startsWith("Bearer");
      assertThat(code(r)).isEqualTo("unauthorized");
    }
    assertThat(submit(null, new JsonObject().put("script", "echo"), "").statusCode()).isEqualTo(401);
    assertThat(submit(ApiKey.generate(), new JsonObject().put("script", "echo"), "").statusCode()).isEqualTo(401);
  }

  @Test
  void underAnApplicationsMountPrefixTheSamePathsAreOpenOrNeedAKey() {
    Router host = Router.router(vertx);
    host.route("/tools/exec/*").subRouter(gateway.router());
    HttpServer server = await(vertx.createHttpServer().requestHandler(host).listen(0, "127.0.0.1"));
    try {
      int port = server.actualPort();
      for (String open : List.of("/tools/exec/health", "/tools/exec/", "/tools/exec/assets/app.js",
        "/tools/exec/openapi.json", "/tools/exec/docs/", "/tools/exec/docs/swagger-ui.css")) {
        assertThat(await(client.get(port, "127.0.0.1", open).send()).statusCode()).as(open).isEqualTo(200);
      }
      for (String closed : List.of("/tools/exec/v1/runtimes", "/tools/exec/v1/stats", "/tools/exec/metrics")) {
        HttpResponse<Buffer> r = await(client.get(port, "127.0.0.1", closed).send());
        assertThat(r.statusCode()).as(closed).isEqualTo(401);
        assertThat(code(r)).isEqualTo("unauthorized");
        assertThat(await(as(client.get(port, "127.0.0.1", closed), ADMIN).send()).statusCode()).as(closed)
          .isEqualTo(200);
      }
    } finally {
      await(server.close());
    }
  }

  @Test
  void aValidKeyRuns() {
    HttpResponse<Buffer> r = submit(ADMIN, new JsonObject().put("script", "echo ok"), "?wait=true");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("stdout")).isEqualTo("ok\n");
    String metrics = await(as(client.get("/metrics"), ADMIN).send()).bodyAsString();
    assertThat(metrics).contains("execgate_executions_total");
    // durations are histograms: p95/p99 computable from the buckets
    assertThat(metrics).containsPattern("execgate_execution_duration_seconds_bucket\\{status=\"succeeded\",le=\"600\\.0\"\\} [1-9]")
      .contains("execgate_execution_duration_seconds_bucket{status=\"succeeded\",le=\"+Inf\"}")
      .containsPattern("execgate_execution_queued_seconds_bucket\\{le=\"600\\.0\"\\} [1-9]");
  }

  @Test
  void aKeyIsHeldToItsRuntimesAndImages() {
    HttpResponse<Buffer> runtime = submit(LIMITED, new JsonObject().put("script", "echo").put("language", "bash"), "");
    assertThat(runtime.statusCode()).isEqualTo(403);
    assertThat(code(runtime)).isEqualTo("forbidden");
    HttpResponse<Buffer> image = submit(LIMITED, new JsonObject().put("script", "echo")
      .put("image", "execgate-test/other:1"), "");
    assertThat(image.statusCode()).isEqualTo(403);
    assertThat(image.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("execgate-test/other:1");
    assertThat(submit(LIMITED, new JsonObject().put("script", "echo fine"), "?wait=true").bodyAsJsonObject()
      .getString("stdout")).isEqualTo("fine\n");
  }

  @Test
  void aKeysConcurrencyQuotaRefusesTheSecondExecution() throws Exception {
    // an execution counts against its key's quota until its container is removed, which may lag the
    // answer of another test's execution of this key
    long free = System.currentTimeMillis() + 10_000;
    HttpResponse<Buffer> first;
    do {
      first = submit(LIMITED, new JsonObject().put("script", "sleep 5"), "");
    } while (first.statusCode() == 429 && System.currentTimeMillis() < free && sleep(100));
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
    long t0 = System.nanoTime();
    HttpResponse<Buffer> second = submit(LIMITED, new JsonObject().put("script", "echo"), "");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(code(second)).isEqualTo("quota_exceeded");
    assertThat(second.getHeader("retry-after")).isNotNull();
    // another key is not affected
    assertThat(submit(ADMIN, new JsonObject().put("script", "echo"), "").statusCode()).isEqualTo(202);
    String id = first.bodyAsJsonObject().getString("id");
    assertThat(await(as(client.delete("/v1/executions/" + id), LIMITED).send()).statusCode()).isEqualTo(200);
    long deadline = System.currentTimeMillis() + 10_000;
    HttpResponse<Buffer> third;
    do {
      third = submit(LIMITED, new JsonObject().put("script", "echo"), "");
      Thread.sleep(100);
    } while (third.statusCode() == 429 && System.currentTimeMillis() < deadline);
    assertThat(third.statusCode()).isEqualTo(202);
  }

  @Test
  void aKeysRateIsLimitedWithRetryAfter() {
    for (int i = 0; i < 3; i++) {
      assertThat(await(as(client.get("/v1/runtimes"), SLOW).send()).statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> limited = await(as(client.get("/v1/runtimes"), SLOW).send());
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(code(limited)).isEqualTo("rate_limited");
    assertThat(Integer.parseInt(limited.getHeader("retry-after"))).isBetween(1, 20);
  }

  @Test
  void aRetriedSubmitWithTheSameIdempotencyKeyGetsTheSameExecution() {
    JsonObject body = new JsonObject().put("script", "echo once; date +%s%N");
    HttpResponse<Buffer> first = await(as(client.post("/v1/executions?wait=true"), ADMIN)
      .putHeader("content-type", "application/json").putHeader("idempotency-key", "order-42")
      .sendBuffer(body.toBuffer()));
    HttpResponse<Buffer> again = await(as(client.post("/v1/executions?wait=true"), ADMIN)
      .putHeader("content-type", "application/json").putHeader("idempotency-key", "order-42")
      .sendBuffer(body.toBuffer()));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.getHeader("idempotent-replay")).isEqualTo("true");
    assertThat(again.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
    assertThat(again.bodyAsJsonObject().getString("stdout")).isEqualTo(first.bodyAsJsonObject().getString("stdout"));
    HttpResponse<Buffer> async = await(as(client.post("/v1/executions"), ADMIN)
      .putHeader("content-type", "application/json").putHeader("idempotency-key", "order-42")
      .sendBuffer(body.toBuffer()));
    assertThat(async.statusCode()).isEqualTo(202);
    assertThat(async.bodyAsJsonObject().getString("id")).isEqualTo(first.bodyAsJsonObject().getString("id"));
    HttpResponse<Buffer> other = await(as(client.post("/v1/executions"), ADMIN)
      .putHeader("content-type", "application/json").putHeader("idempotency-key", "order-42")
      .sendBuffer(new JsonObject().put("script", "echo different").toBuffer()));
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(code(other)).isEqualTo("idempotency_conflict");
    // keys are per API key: the same Idempotency-Key from another key is another execution
    HttpResponse<Buffer> fromOther = await(as(client.post("/v1/executions?wait=true"), LIMITED)
      .putHeader("content-type", "application/json").putHeader("idempotency-key", "order-42")
      .sendBuffer(body.toBuffer()));
    assertThat(fromOther.bodyAsJsonObject().getString("id")).isNotEqualTo(first.bodyAsJsonObject().getString("id"));
  }

  @Test
  void concurrentRetriesCreateOneExecution() {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(as(client.post("/v1/executions"), ADMIN).putHeader("content-type", "application/json")
        .putHeader("idempotency-key", "burst-1").sendBuffer(new JsonObject().put("script", "echo burst").toBuffer()));
    }
    assertThat(all.stream().map(f -> await(f).bodyAsJsonObject().getString("id")).distinct().count()).isEqualTo(1);
  }

  @Test
  void browsersGetAShortLivedTokenForWebSockets() throws Exception {
    HttpResponse<Buffer> issued = await(as(client.post("/v1/tokens"), ADMIN).send());
    assertThat(issued.statusCode()).isEqualTo(201);
    String token = issued.bodyAsJsonObject().getString("token");
    assertThat(token).startsWith("egt_").doesNotContain(ADMIN);
    WebSocketClient ws = vertx.createWebSocketClient();
    Exception refused = null;
    try {
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
        .setURI("/v1/ws")).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      refused = e;
    }
    assertThat(refused).isNotNull();
    assertThat(refused.getMessage()).contains("401");
    List<JsonObject> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
    var socket = ws.webSocket();
    socket.textMessageHandler(t -> frames.add(new JsonObject(t)));
    socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
      .setURI("/v1/ws?token=" + token)).await(10, TimeUnit.SECONDS);
    socket.writeTextMessage(new JsonObject().put("type", "run").put("script", "echo via-token").encode());
    long deadline = System.currentTimeMillis() + 20_000;
    while (frames.stream().noneMatch(f -> "exit".equals(f.getString("type"))) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(frames).anySatisfy(f -> assertThat(f.getString("data")).isEqualTo("via-token\n"));
    await(ws.close());
    // a token is for the streaming routes only: elsewhere, even as a bearer, it is refused
    assertThat(await(client.get("/v1/runtimes").bearerTokenAuthentication(token).send()).statusCode()).isEqualTo(403);
  }

  @Test
  void webSocketsFromForeignOriginsAreRefused() throws Exception {
    WebSocketClient ws = vertx.createWebSocketClient();
    try {
      Exception refused = null;
      try {
        ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort()).setURI("/v1/ws")
          .addHeader("authorization", "Bearer " + ADMIN).addHeader("origin", "https://evil.example"))
          .await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        refused = e;
      }
      assertThat(refused).isNotNull();
      assertThat(refused.getMessage()).contains("403");
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort()).setURI("/v1/ws")
        .addHeader("authorization", "Bearer " + ADMIN).addHeader("origin", "https://app.example"))
        .await(10, TimeUnit.SECONDS).close();
    } finally {
      await(ws.close());
    }
  }

  @Test
  void corsAllowsOnlyTheConfiguredOrigins() {
    HttpResponse<Buffer> preflight = await(client.request(io.vertx.core.http.HttpMethod.OPTIONS, "/v1/executions")
      .putHeader("origin", "https://app.example").putHeader("access-control-request-method", "POST")
      .putHeader("access-control-request-headers", "authorization,content-type").send());
    assertThat(preflight.getHeader("access-control-allow-origin")).isEqualTo("https://app.example");
    HttpResponse<Buffer> foreign = await(client.request(io.vertx.core.http.HttpMethod.OPTIONS, "/v1/executions")
      .putHeader("origin", "https://evil.example").putHeader("access-control-request-method", "POST").send());
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.getHeader("access-control-allow-origin")).isNull();
    // the gateway's own page is same-origin: no CORS involved
    HttpResponse<Buffer> own = await(client.post("/v1/tokens").bearerTokenAuthentication(ADMIN)
      .putHeader("origin", "http://127.0.0.1:" + gateway.actualPort()).send());
    assertThat(own.statusCode()).isEqualTo(201);
  }

  private static boolean sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return true;
  }
}
