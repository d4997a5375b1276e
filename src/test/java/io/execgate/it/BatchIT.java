package io.execgate.it;

import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches on the real engine: fifty mixed items answered together (wait=true) with their statuses in
 * request order and counted; admission all or none against a key's quota and the node's places; a
 * bad item refuses the batch naming its index; another key's batch is a 404; oversized, deep and
 * token-heavy bodies are refused before anything runs.
 */
class BatchIT extends GatewayITBase {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  private static final String SMALL = ApiKey.generate();
  private static final int SLOTS = 6;
  private static final int QUEUED = 60;

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getExecutor().setMaxConcurrent(SLOTS).setMaxQueued(QUEUED);
    options.getAuth()
      .addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("bob", ApiKey.hash(BOB), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("small", ApiKey.hash(SMALL), List.of(), List.of(), 10, 0));
    return options;
  }

  private HttpResponse<Buffer> batch(String key, String query, JsonObject body) {
    return await(client.post("/v1/batches" + query).bearerTokenAuthentication(key)
      .putHeader("content-type", "application/json").sendBuffer(body.toBuffer()));
  }

  private HttpResponse<Buffer> read(String key, String path) {
    return await(client.get(path).bearerTokenAuthentication(key).send());
  }

  private static JsonObject batchOf(int n, IntFunction<JsonObject> item) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < n; i++) {
      items.add(item.apply(i));
    }
    return new JsonObject().put("executions", items);
  }

  private static JsonObject error(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  void fiftyMixedItemsAreAnsweredTogetherInOrderWithTheirCounts() {
    // per five items: three succeed, one fails with 3, one passes its deadline
    JsonObject body = batchOf(50, i -> switch (i % 5) {
      case 3 -> new JsonObject().put("script", "echo item-" + i + "; exit 3");
      case 4 -> new JsonObject().put("script", "sleep 5").put("limits", new JsonObject().put("timeoutMs", 300));
      default -> new JsonObject().put("script", "read x; echo item-$x").put("stdin", i + "\n");
    });
    long start = System.currentTimeMillis();
    HttpResponse<Buffer> r = batch(ALICE, "?wait=true", body);
    long took = System.currentTimeMillis() - start;
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject done = r.bodyAsJsonObject();
    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getJsonObject("counts").getMap())
      .isEqualTo(Map.of("succeeded", 30, "failed", 10, "timeout", 10));
    JsonArray executions = done.getJsonArray("executions");
    assertThat(executions).hasSize(50);
    for (int i = 0; i < 50; i++) {
      JsonObject e = executions.getJsonObject(i);
      String expected = switch (i % 5) {
        case 3 -> "failed";
        case 4 -> "timeout";
        default -> "succeeded";
      };
      assertThat(e.getString("status")).as("item %d", i).isEqualTo(expected);
      assertThat(e.containsKey("stdout")).as("a batch record carries no output").isFalse();
      if (i % 5 == 3) {
        assertThat(e.getInteger("exitCode")).isEqualTo(3);
      }
    }
    // each item's own record has its output, and the batch's read answers the same
    String third = executions.getJsonObject(2).getString("id");
    assertThat(read(ALICE, "/v1/executions/" + third).bodyAsJsonObject().getString("stdout")).isEqualTo("item-2\n");
    JsonObject again = read(ALICE, "/v1/batches/" + done.getString("id")).bodyAsJsonObject();
    assertThat(again.getJsonObject("counts")).isEqualTo(done.getJsonObject("counts"));
    LoggerFactory.getLogger(BatchIT.class).info("50 items on {} slots: {} ms", SLOTS, took);
  }

  @Test
  void aBatchOverTheKeysQuotaIsRefusedWholeAndAFittingOneRuns() throws Exception {
    HttpResponse<Buffer> over = batch(SMALL, "", batchOf(11, i -> new JsonObject().put("script", "sleep 1")));
    assertThat(over.statusCode()).as(over.bodyAsString()).isEqualTo(429);
    assertThat(error(over).getString("code")).isEqualTo("quota_exceeded");
    // nothing of it was admitted: the whole quota is free for a batch of 10
    HttpResponse<Buffer> fits = batch(SMALL, "", batchOf(10, i -> new JsonObject().put("script", "sleep 1; echo " + i)));
    assertThat(fits.statusCode()).as(fits.bodyAsString()).isEqualTo(202);
    JsonObject accepted = fits.bodyAsJsonObject();
    assertThat(accepted.getJsonArray("executions")).hasSize(10);
    // while they hold the quota, neither one more item nor a plain submit is admitted
    HttpResponse<Buffer> one = batch(SMALL, "", batchOf(1, i -> new JsonObject().put("script", "true")));
    assertThat(one.statusCode()).isEqualTo(429);
    HttpResponse<Buffer> single = await(client.post("/v1/executions").bearerTokenAuthentication(SMALL)
      .putHeader("content-type", "application/json").sendBuffer(new JsonObject().put("script", "true").toBuffer()));
    assertThat(single.statusCode()).isEqualTo(429);
    String id = accepted.getString("id");
    JsonObject record = read(SMALL, "/v1/batches/" + id).bodyAsJsonObject();
    assertThat(record.getString("status")).isIn("running", "done");
    long deadline = System.currentTimeMillis() + 60_000;
    while (!record.getString("status").equals("done") && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      record = read(SMALL, "/v1/batches/" + id).bodyAsJsonObject();
    }
    assertThat(record.getString("status")).isEqualTo("done");
    assertThat(record.getJsonObject("counts").getMap()).isEqualTo(Map.of("succeeded", 10));
    for (int i = 0; i < 10; i++) {
      assertThat(record.getJsonArray("executions").getJsonObject(i).getString("id"))
        .isEqualTo(accepted.getJsonArray("executions").getJsonObject(i).getString("id"));
    }
  }

  @Test
  void aBatchOverTheNodesPlacesIsRefusedWhole() {
    HttpResponse<Buffer> r = batch(ALICE, "", batchOf(SLOTS + QUEUED + 1, i -> new JsonObject().put("script", "true")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(429);
    assertThat(error(r).getString("code")).isEqualTo("capacity_exhausted");
  }

  @Test
  void aBadItemRefusesTheBatchNamingItsIndex() {
    JsonObject body = batchOf(5, i -> i == 3 ? new JsonObject().put("script", "true").put("language", "cobol")
      : new JsonObject().put("script", "true"));
    HttpResponse<Buffer> r = batch(ALICE, "", body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(error(r).getInteger("index")).isEqualTo(3);
    assertThat(error(r).getString("field")).isEqualTo("executions[3].language");
    HttpResponse<Buffer> unknown = batch(ALICE, "", batchOf(2, i -> new JsonObject().put("script", "true")
      .put(i == 1 ? "scrpit" : "args", i == 1 ? "x" : new JsonArray())));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(error(unknown).getInteger("index")).isEqualTo(1);
    assertThat(error(unknown).getString("field")).isEqualTo("executions[1].scrpit");
    HttpResponse<Buffer> notObject = batch(ALICE, "", new JsonObject().put("executions",
      new JsonArray().add(new JsonObject().put("script", "true")).add("echo hi")));
    assertThat(error(notObject).getInteger("index")).isEqualTo(1);
    HttpResponse<Buffer> empty = batch(ALICE, "", new JsonObject().put("executions", new JsonArray()));
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(error(empty).getString("field")).isEqualTo("executions");
  }

  @Test
  void anotherKeysBatchIsNotFound() {
    HttpResponse<Buffer> r = batch(ALICE, "", batchOf(1, i -> new JsonObject().put("script", "true")));
    assertThat(r.statusCode()).isEqualTo(202);
    String id = r.bodyAsJsonObject().getString("id");
    assertThat(read(ALICE, "/v1/batches/" + id).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> bob = read(BOB, "/v1/batches/" + id);
    assertThat(bob.statusCode()).isEqualTo(404);
    assertThat(error(bob).getString("code")).isEqualTo("not_found");
    // as an unknown one: nothing tells them apart but the id in the message
    HttpResponse<Buffer> unknown = read(BOB, "/v1/batches/" + UUID.randomUUID());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(error(unknown).getString("message").replaceAll("[0-9a-f-]{36}", "ID"))
      .isEqualTo(error(bob).getString("message").replaceAll("[0-9a-f-]{36}", "ID"));
    assertThat(read(BOB, "/v1/batches/..%2F..%2Fexecutions").statusCode()).isEqualTo(404);
    assertThat(await(client.get("/v1/batches/" + id).send()).statusCode()).isEqualTo(401);
  }

  @Test
  void oversizedDeepAndTokenHeavyBatchesAreRefusedBeforeAnythingRuns() {
    int cap = new GatewayOptions().getBatches().getMaxExecutions();
    HttpResponse<Buffer> tooMany = batch(ALICE, "", batchOf(cap + 1, i -> new JsonObject().put("script", "true")));
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(error(tooMany).getString("field")).isEqualTo("executions");
    assertThat(error(tooMany).getString("message")).contains(String.valueOf(cap));
    // 200,000 nested arrays: refused by the parser's depth limit, no stack overflow
    String deep = "{\"executions\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
    long start = System.currentTimeMillis();
    HttpResponse<Buffer> d = await(client.post("/v1/batches").bearerTokenAuthentication(ALICE)
      .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(deep)));
    assertThat(d.statusCode()).isEqualTo(400);
    assertThat(error(d).getString("code")).isEqualTo("invalid_json");
    // 100 items of 2,000 args: past the JSON token limit
    HttpResponse<Buffer> tokens = batch(ALICE, "", batchOf(100, i -> new JsonObject().put("script", "true")
      .put("args", new JsonArray(Collections.nCopies(2_000, "a")))));
    assertThat(tokens.statusCode()).isEqualTo(400);
    assertThat(error(tokens).getString("code")).isEqualTo("invalid_json");
    assertThat(System.currentTimeMillis() - start).isLessThan(10_000);
    // a body over http.maxRequestBytes is cut at its limit
    String huge = "{\"executions\":[{\"script\":\"" + "x".repeat(17 * 1024 * 1024) + "\"}]}";
    HttpResponse<Buffer> h = await(client.post("/v1/batches").bearerTokenAuthentication(ALICE)
      .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(huge)));
    assertThat(h.statusCode()).isEqualTo(413);
  }
}
