package io.execgate.it;

import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenants on one gateway, as an attacker with a key of their own would try them: another key's
 * execution is a 404 on every route that names it (read, cancel, SSE, WebSocket, a token for it),
 * and an admin key sees every one; browser tokens are for the streaming routes only, never mint
 * tokens, may be scoped to one execution and are capped per key; an API key in a URL is refused;
 * the operational routes need an admin key and a key sees only the images it may use.
 */
class TenancyIT extends GatewayITBase {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  private static final String OPS = ApiKey.generate();
  private static final String LIMITED = ApiKey.generate();
  private static final String MINTER = ApiKey.generate();
  private static final int MAX_TOKENS = 5;

  private WebSocketClient ws;

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getAuth()
      .addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("bob", ApiKey.hash(BOB), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("ops", ApiKey.hash(OPS), List.of(), List.of(), 0, 0).withAdmin(true))
      .addKey(new ApiKey("limited", ApiKey.hash(LIMITED), List.of(), List.of("execgate/busybox:*"), 0, 0))
      .addKey(new ApiKey("minter", ApiKey.hash(MINTER), List.of(), List.of(), 0, 0))
      .setMaxTokensPerKey(MAX_TOKENS);
    return options;
  }

  @BeforeAll
  void webSocketClient() {
    ws = vertx.createWebSocketClient();
  }

  @AfterAll
  void closeWebSocketClient() {
    if (ws != null) {
      await(ws.close());
    }
  }

  private static HttpRequest<Buffer> as(HttpRequest<Buffer> request, String key) {
    return key == null ? request : request.bearerTokenAuthentication(key);
  }

  private HttpResponse<Buffer> send(HttpMethod method, String uri, String key) {
    return await(as(client.request(method, uri), key).send());
  }

  private HttpResponse<Buffer> submit(String key, String script, String idempotencyKey) {
    HttpRequest<Buffer> request = as(client.post("/v1/executions"), key).putHeader("content-type", "application/json");
    if (idempotencyKey != null) {
      request.putHeader("idempotency-key", idempotencyKey);
    }
    return await(request.sendBuffer(new JsonObject().put("script", script).toBuffer()));
  }

  private String submitted(String key, String script) {
    HttpResponse<Buffer> r = submit(key, script, null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    return r.bodyAsJsonObject().getString("id");
  }

  private HttpResponse<Buffer> mint(String key, JsonObject body) {
    HttpRequest<Buffer> request = as(client.post("/v1/tokens"), key);
    return await(body == null ? request.send()
      : request.putHeader("content-type", "application/json").sendBuffer(body.toBuffer()));
  }

  private String token(String key, String execution) {
    HttpResponse<Buffer> r = mint(key, execution == null ? null : new JsonObject().put("execution", execution));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject().getString("token");
  }

  private static String code(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  private static String message(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error").getString("message");
  }

  /**
   * @return the status of a WebSocket handshake: 101 when it opened (then closed at once), else the refusal's
   */
  private int handshake(String uri, String key) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
      .setURI(uri);
    if (key != null) {
      options.addHeader("authorization", "Bearer " + key);
    }
    try {
      ws.connect(options).await(10, TimeUnit.SECONDS).close().await(10, TimeUnit.SECONDS);
      return 101;
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Watches an execution's stream as {@code key} until its output contains {@code text}.
   */
  private void awaitOutput(String id, String key, String text) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
      .setURI("/v1/executions/" + id + "/stream").addHeader("authorization", "Bearer " + key);
    io.vertx.core.Promise<Void> seen = io.vertx.core.Promise.promise();
    StringBuilder output = new StringBuilder();
    var socket = await(ws.connect(options));
    socket.textMessageHandler(t -> {
      JsonObject frame = new JsonObject(t);
      if ("stdout".equals(frame.getString("type"))) {
        output.append(frame.getString("data"));
        if (output.indexOf(text) >= 0) {
          seen.tryComplete();
        }
      }
    });
    try {
      seen.future().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no '" + text + "' in the output of " + id + " within 30 s: " + output, e);
    } finally {
      socket.close();
    }
  }

  private JsonObject awaitFinal(String id, String key) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, "/v1/executions/" + id, key);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      if (isFinal(r.bodyAsJsonObject().getString("status"))) {
        return r.bodyAsJsonObject();
      }
      assertThat(System.currentTimeMillis()).as("execution %s ends", id).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void anotherKeysExecutionIsNotFoundOnEveryRouteThatNamesIt() throws Exception {
    String id = submitted(ALICE, "echo started; sleep 20; echo secret-of-alice");
    // the program has written: a replay of its events has something to leak
    awaitOutput(id, ALICE, "started");
    String unknown = UUID.randomUUID().toString();
    HttpResponse<Buffer> none = send(HttpMethod.GET, "/v1/executions/" + unknown, BOB);
    assertThat(none.statusCode()).isEqualTo(404);

    // read, cancel, both streams, a token for it: every answer is the unknown id's
    HttpResponse<Buffer> read = send(HttpMethod.GET, "/v1/executions/" + id, BOB);
    assertThat(read.statusCode()).isEqualTo(404);
    assertThat(code(read)).isEqualTo("not_found");
    assertThat(message(read).replace(id, "ID")).isEqualTo(message(none).replace(unknown, "ID"));
    assertThat(read.bodyAsString()).doesNotContain("alice").doesNotContain("running").doesNotContain("queued");
    HttpResponse<Buffer> cancel = send(HttpMethod.DELETE, "/v1/executions/" + id, BOB);
    assertThat(cancel.statusCode()).isEqualTo(404);
    assertThat(message(cancel).replace(id, "ID")).isEqualTo(message(none).replace(unknown, "ID"));
    HttpResponse<Buffer> events = send(HttpMethod.GET, "/v1/executions/" + id + "/events", BOB);
    assertThat(events.statusCode()).isEqualTo(404);
    assertThat(events.bodyAsString()).doesNotContain("started");
    assertThat(handshake("/v1/executions/" + id + "/stream", BOB)).isEqualTo(404);
    HttpResponse<Buffer> scoped = mint(BOB, new JsonObject().put("execution", id));
    assertThat(scoped.statusCode()).isEqualTo(404);
    String bobsToken = token(BOB, null);
    assertThat(send(HttpMethod.GET, "/v1/executions/" + id + "/events?token=" + bobsToken, null).statusCode())
      .isEqualTo(404);
    assertThat(handshake("/v1/executions/" + id + "/stream?token=" + bobsToken, null)).isEqualTo(404);

    // bob's DELETE cancelled nothing; its owner reads it, with its owner named
    JsonObject mine = send(HttpMethod.GET, "/v1/executions/" + id, ALICE).bodyAsJsonObject();
    assertThat(mine.getString("status")).isIn("queued", "pulling", "starting", "running");
    assertThat(mine.getString("owner")).isEqualTo("alice");
    assertThat(handshake("/v1/executions/" + id + "/stream", ALICE)).isEqualTo(101);
    // an admin key reads and cancels every key's executions
    assertThat(send(HttpMethod.GET, "/v1/executions/" + id, OPS).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> cancelled = send(HttpMethod.DELETE, "/v1/executions/" + id, OPS);
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    JsonObject end = awaitFinal(id, ALICE);
    assertThat(end.getString("status")).isEqualTo("cancelled");
    assertThat(end.getString("owner")).isEqualTo("alice");
    // the final record, too, stays alice's
    assertThat(send(HttpMethod.GET, "/v1/executions/" + id, BOB).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> replay = send(HttpMethod.GET, "/v1/executions/" + id + "/events", BOB);
    assertThat(replay.statusCode()).isEqualTo(404);
    assertThat(replay.bodyAsString()).doesNotContain("started");
    assertThat(send(HttpMethod.GET, "/v1/executions/" + id + "/events", ALICE).bodyAsString()).contains("started");
  }

  @Test
  void anInteractiveSessionsExecutionIsItsKeysOnly() throws Exception {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    var socket = ws.webSocket();
    socket.textMessageHandler(t -> frames.add(new JsonObject(t)));
    await(socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
      .setURI("/v1/ws?token=" + token(ALICE, null))));
    await(socket.writeTextMessage(new JsonObject().put("type", "run").put("script", "echo hi; sleep 20").encode()));
    long deadline = System.currentTimeMillis() + 20_000;
    while (frames.stream().noneMatch(f -> "accepted".equals(f.getString("type")))) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      Thread.sleep(20);
    }
    String id = frames.stream().filter(f -> "accepted".equals(f.getString("type"))).findFirst().orElseThrow()
      .getString("id");
    assertThat(send(HttpMethod.GET, "/v1/executions/" + id, BOB).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.DELETE, "/v1/executions/" + id, BOB).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.GET, "/v1/executions/" + id, ALICE).bodyAsJsonObject().getString("owner"))
      .isEqualTo("alice");
    await(socket.close());
    assertThat(awaitFinal(id, ALICE).getString("status")).isEqualTo("cancelled");
  }

  @Test
  void tokensAreForTheStreamingRoutesOnlyAndNeverMintTokens() throws Exception {
    String token = token(ALICE, null);
    assertThat(token).startsWith("egt_").doesNotContain(ALICE);
    // elsewhere a token is refused, as a bearer or in the query string
    HttpResponse<Buffer> bearer = send(HttpMethod.GET, "/v1/runtimes", token);
    assertThat(bearer.statusCode()).isEqualTo(403);
    assertThat(message(bearer)).contains("streaming routes");
    assertThat(send(HttpMethod.GET, "/v1/runtimes?token=" + token, null).statusCode()).isEqualTo(403);
    HttpResponse<Buffer> minted = mint(token, null);
    assertThat(minted.statusCode()).isEqualTo(403);
    assertThat(send(HttpMethod.POST, "/v1/tokens?token=" + token, null).statusCode()).isEqualTo(403);
    assertThat(send(HttpMethod.GET, "/metrics?token=" + token(OPS, null), null).statusCode()).isEqualTo(403);
    // an API key never goes in a URL, not even on a streaming route
    HttpResponse<Buffer> keyInUrl = send(HttpMethod.GET, "/v1/runtimes?token=" + ALICE, null);
    assertThat(keyInUrl.statusCode()).isEqualTo(401);
    assertThat(message(keyInUrl)).contains("Authorization: Bearer").doesNotContain(ALICE);
    assertThat(handshake("/v1/ws?token=" + ALICE, null)).isEqualTo(401);
    String id = submitted(ALICE, "echo via-token");
    assertThat(send(HttpMethod.GET, "/v1/executions/" + id + "/events?token=" + ALICE, null).statusCode()).isEqualTo(401);
    // where it belongs, it works
    awaitFinal(id, ALICE);
    HttpResponse<Buffer> events = send(HttpMethod.GET, "/v1/executions/" + id + "/events?token=" + token, null);
    assertThat(events.statusCode()).isEqualTo(200);
    assertThat(events.bodyAsString()).contains("via-token").contains("\"type\":\"exit\"");
    assertThat(handshake("/v1/ws?token=" + token, null)).isEqualTo(101);
    // a made-up token is a 401
    assertThat(handshake("/v1/ws?token=egt_" + ApiKey.generate(), null)).isEqualTo(401);
  }

  @Test
  void aTokenScopedToOneExecutionStreamsThatOneOnly() throws Exception {
    String first = submitted(ALICE, "echo first");
    String second = submitted(ALICE, "echo second");
    HttpResponse<Buffer> issued = mint(ALICE, new JsonObject().put("execution", first));
    assertThat(issued.statusCode()).isEqualTo(201);
    assertThat(issued.bodyAsJsonObject().getString("execution")).isEqualTo(first);
    String token = issued.bodyAsJsonObject().getString("token");
    awaitFinal(first, ALICE);
    awaitFinal(second, ALICE);
    HttpResponse<Buffer> own = send(HttpMethod.GET, "/v1/executions/" + first + "/events?token=" + token, null);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.bodyAsString()).contains("first");
    assertThat(send(HttpMethod.GET, "/v1/executions/" + second + "/events?token=" + token, null).statusCode())
      .isEqualTo(404);
    assertThat(handshake("/v1/executions/" + second + "/stream?token=" + token, null)).isEqualTo(404);
    assertThat(handshake("/v1/ws?token=" + token, null)).as("a scoped token starts nothing").isEqualTo(403);
    assertThat(mint(ALICE, new JsonObject().put("execution", UUID.randomUUID().toString())).statusCode())
      .isEqualTo(404);
    assertThat(mint(ALICE, new JsonObject().put("execution", 42)).statusCode()).isEqualTo(400);
    assertThat(mint(ALICE, new JsonObject().put("scope", "all")).statusCode()).isEqualTo(400);
  }

  @Test
  void aKeyHoldsAtMostItsMaximumOfTokensEvenMintedAtOnce() {
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      burst.add(as(client.post("/v1/tokens"), MINTER).send());
    }
    List<Integer> statuses = burst.stream().map(f -> await(f).statusCode()).toList();
    assertThat(statuses.stream().filter(s -> s == 201).count()).as(statuses.toString()).isEqualTo(MAX_TOKENS);
    assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(60 - MAX_TOKENS);
    HttpResponse<Buffer> refused = mint(MINTER, null);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(code(refused)).isEqualTo("quota_exceeded");
    assertThat(Long.parseLong(refused.getHeader("retry-after"))).isBetween(1L, 300L);
    // another key is not concerned
    assertThat(mint(BOB, null).statusCode()).isEqualTo(201);
  }

  @Test
  void theOperationalRoutesNeedAnAdminKeyAndProbesStillWork() {
    for (String path : List.of("/metrics", "/v1/stats")) {
      HttpResponse<Buffer> refused = send(HttpMethod.GET, path, ALICE);
      assertThat(refused.statusCode()).as(path).isEqualTo(403);
      assertThat(message(refused)).contains("admin");
      assertThat(send(HttpMethod.GET, path, OPS).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(send(HttpMethod.GET, "/health", null).statusCode()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/ready", ALICE).statusCode()).isEqualTo(200);
  }

  @Test
  void aKeySeesAndPrePullsOnlyTheImagesItMayUse() {
    JsonObject all = send(HttpMethod.GET, "/v1/images", OPS).bodyAsJsonObject();
    assertThat(all.getJsonObject("stats")).isNotNull();
    JsonObject limited = send(HttpMethod.GET, "/v1/images", LIMITED).bodyAsJsonObject();
    assertThat(limited.containsKey("stats")).isFalse();
    JsonArray images = limited.getJsonArray("images");
    for (int i = 0; i < images.size(); i++) {
      assertThat(images.getJsonObject(i).getString("image")).startsWith("execgate/busybox:");
      assertThat(images.getJsonObject(i).getValue("lastUsedAt")).isNull();
    }
    // the policy allows execgate-test/*, the key does not
    HttpResponse<Buffer> prePull = await(as(client.post("/v1/images"), LIMITED).putHeader("content-type",
      "application/json").sendBuffer(new JsonObject().put("image", "execgate-test/not-for-limited:1").toBuffer()));
    assertThat(prePull.statusCode()).as(prePull.bodyAsString()).isEqualTo(403);
    assertThat(code(prePull)).isEqualTo("forbidden");
    assertThat(send(HttpMethod.GET, "/v1/images", OPS).bodyAsString()).doesNotContain("not-for-limited");
  }

  @Test
  void oddPathsNamingAnExecutionAreRefusedCleanly() {
    for (String path : List.of("/v1/executions/%ZZ", "/v1/executions/%ZZ/events", "/v1/executions/..%2F..%2Fhealth",
      "/v1/executions/" + "a".repeat(3000) + "/stream", "/v1/executions//events")) {
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.DELETE)) {
        HttpResponse<Buffer> r = send(method, path, BOB);
        assertThat(r.statusCode()).as("%s %s", method, path).isBetween(400, 499);
        assertThat(code(r)).isNotBlank();
      }
      assertThat(send(HttpMethod.GET, path, null).statusCode()).as(path).isEqualTo(401);
    }
  }

  @Test
  void anIdempotencyConflictDoesNotTellTheExecutionId() {
    HttpResponse<Buffer> first = submit(ALICE, "echo one", "conflict-1");
    String id = first.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> other = submit(ALICE, "echo two", "conflict-1");
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(code(other)).isEqualTo("idempotency_conflict");
    assertThat(other.bodyAsString()).doesNotContain(id);
  }
}
