package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Judge0-compatible API on the real engine, as Judge0's clients call it: the key in
 * {@code X-Auth-Token}, {@code base64_encoded} and {@code wait} both ways, {@code fields}, batches,
 * every status id a program can produce, Judge0's error shapes, and the attacker's requests.
 */
class Judge0IT extends GatewayITBase {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  private static final long FINAL_WITHIN_MS = 60_000;

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getAuth()
      .addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("bob", ApiKey.hash(BOB), List.of(), List.of(), 0, 0));
    options.getJudge0().setRootPaths(true);
    return options;
  }

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @AfterAll
  void theResponsesWereCheckedAgainstOpenApi() {
    assertThat(openApi.checked()).contains("judge0Create 201", "judge0Create 422", "judge0Create 400",
      "judge0Create 413", "judge0Get 200", "judge0Get 404", "judge0GetBatch 200", "judge0CreateBatch 201",
      "judge0CreateBatch 400", "judge0Languages 200", "judge0Language 404", "judge0Statuses 200");
  }

  @BeforeAll
  void requireRuntimeImages() {
    DockerSupport.requireImages(DefaultRuntimes.PYTHON_IMAGE, DefaultRuntimes.MULTI_LANGUAGE_IMAGE);
  }

  private HttpResponse<Buffer> send(HttpRequest<Buffer> request, String key, JsonObject body) {
    request.putHeader("x-auth-token", key);
    return await(body == null ? request.send()
      : request.putHeader("content-type", "application/json").sendBuffer(body.toBuffer()));
  }

  private HttpResponse<Buffer> judge0Post(String path, JsonObject body) {
    return send(client.post("/judge0" + path), ALICE, body);
  }

  private HttpResponse<Buffer> judge0Get(String path, String key) {
    return send(client.get("/judge0" + path), key, null);
  }

  private static JsonObject submission(int languageId, String source) {
    return new JsonObject().put("language_id", languageId).put("source_code", source);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String unb64(String text) {
    return new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8);
  }

  /**
   * Reads tokens with {@code GET /submissions/batch} until each is final (status id 3 or more).
   */
  private JsonArray awaitFinal(List<String> tokens, String query) throws InterruptedException {
    long deadline = System.currentTimeMillis() + FINAL_WITHIN_MS;
    while (true) {
      HttpResponse<Buffer> r = judge0Get("/submissions/batch?tokens=" + String.join(",", tokens) + query, ALICE);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonArray list = r.bodyAsJsonObject().getJsonArray("submissions");
      boolean done = list.stream().allMatch(o -> ((JsonObject) o).getJsonObject("status").getInteger("id") >= 3);
      if (done) {
        return list;
      }
      assertThat(System.currentTimeMillis()).as("submissions final in time").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @Test
  void languagesAndStatusesAreJudge0s() {
    HttpResponse<Buffer> languages = judge0Get("/languages", ALICE);
    assertThat(languages.statusCode()).isEqualTo(200);
    Set<Integer> ids = languages.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getInteger("id"))
      .collect(Collectors.toSet());
    assertThat(ids).containsExactlyInAnyOrder(46, 50, 54, 63, 71);
    JsonObject python = judge0Get("/languages/71", ALICE).bodyAsJsonObject();
    assertThat(python.getString("name")).isEqualTo("Python (3.11.2)");
    assertThat(python.getString("source_file")).isEqualTo("main.py");
    assertThat(python.getBoolean("is_archived")).isFalse();
    HttpResponse<Buffer> unknown = judge0Get("/languages/999", ALICE);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "language with id 999 doesn't exist"));
    JsonArray statuses = judge0Get("/statuses", ALICE).bodyAsJsonArray();
    assertThat(statuses).hasSize(14);
    assertThat(statuses.getJsonObject(4)).isEqualTo(new JsonObject().put("id", 5)
      .put("description", "Time Limit Exceeded"));
    // judge0.rootPaths: the same routes at the root, as a Judge0 server has them
    assertThat(send(client.get("/statuses"), ALICE, null).bodyAsJsonArray()).isEqualTo(statuses);
    assertThat(send(client.get("/languages"), BOB, null).bodyAsJsonArray()).isEqualTo(languages.bodyAsJsonArray());
  }

  @Test
  void waitTrueWithPlainTextAndWithBase64() {
    JsonObject plain = submission(71, "print(input()[::-1])").put("stdin", "olleh").put("expected_output", "hello");
    HttpResponse<Buffer> created = judge0Post("/submissions?wait=true", plain);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject s = created.bodyAsJsonObject();
    assertThat(s.fieldNames()).containsExactlyInAnyOrder("token", "time", "memory", "stdout", "stderr",
      "compile_output", "message", "status");
    assertThat(s.getString("stdout")).isEqualTo("hello\n");
    assertThat(s.getJsonObject("status")).isEqualTo(new JsonObject().put("id", 3).put("description", "Accepted"));
    assertThat(s.getString("time")).matches("\\d+\\.\\d{3}");
    assertThat(s.getLong("memory")).isPositive();
    assertThat(s.getValue("stderr")).isNull();
    assertThat(s.getValue("message")).isNull();

    JsonObject encoded = new JsonObject().put("language_id", 71).put("source_code", b64("print(input()[::-1])"))
      .put("stdin", b64("olleh")).put("expected_output", b64("world"));
    JsonObject wa = judge0Post("/submissions?wait=true&base64_encoded=true", encoded).bodyAsJsonObject();
    assertThat(wa.getJsonObject("status").getInteger("id")).isEqualTo(4);
    assertThat(wa.getString("stdout")).isEqualTo("aGVsbG8K\n");
    assertThat(unb64(wa.getString("stdout"))).isEqualTo("hello\n");
    // the root path, with Bearer
    HttpResponse<Buffer> root = await(client.post("/submissions?wait=true").putHeader("authorization", "Bearer " + BOB)
      .putHeader("content-type", "application/json").sendBuffer(submission(46, "echo root").toBuffer()));
    assertThat(root.statusCode()).isEqualTo(201);
    assertThat(root.bodyAsJsonObject().getString("stdout")).isEqualTo("root\n");
  }

  @Test
  void outputThatIsNotUtf8NeedsBase64() {
    JsonObject binary = submission(71, "import sys\nsys.stdout.buffer.write(b'\\xfe\\xff\\n')");
    HttpResponse<Buffer> created = judge0Post("/submissions?wait=true", binary);
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject body = created.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("token", "error");
    assertThat(body.getString("error")).isEqualTo("some attributes for this submission cannot be converted to UTF-8,"
      + " use base64_encoded=true query parameter");
    String token = body.getString("token");
    HttpResponse<Buffer> plain = judge0Get("/submissions/" + token, ALICE);
    assertThat(plain.statusCode()).isEqualTo(400);
    assertThat(plain.bodyAsJsonObject().getString("error")).startsWith("some attributes for this submission");
    JsonObject encoded = judge0Get("/submissions/" + token + "?base64_encoded=true&fields=stdout,status_id", ALICE)
      .bodyAsJsonObject();
    assertThat(encoded.getInteger("status_id")).isEqualTo(3);
    // the gateway keeps output as UTF-8 text: each byte that is not UTF-8 comes back as U+FFFD
    assertThat(unb64(encoded.getString("stdout"))).isEqualTo("\uFFFD\uFFFD\n");
  }

  @Test
  void waitFalseThenGetByTokenUntilFinalWithFields() throws InterruptedException {
    HttpResponse<Buffer> created = judge0Post("/submissions", submission(46, "sleep 2; echo \"$1-$2\"")
      .put("command_line_arguments", "a 'b c'"));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject().fieldNames()).containsExactly("token");
    String token = created.bodyAsJsonObject().getString("token");
    Set<Integer> seen = new HashSet<>();
    long deadline = System.currentTimeMillis() + FINAL_WITHIN_MS;
    JsonObject s;
    do {
      HttpResponse<Buffer> r = judge0Get("/submissions/" + token + "?fields=stdout,status_id,language_id", ALICE);
      assertThat(r.statusCode()).isEqualTo(200);
      s = r.bodyAsJsonObject();
      assertThat(s.fieldNames()).containsExactly("stdout", "status_id", "language_id");
      seen.add(s.getInteger("status_id"));
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      Thread.sleep(50);
    } while (s.getInteger("status_id") < 3);
    // In Queue or Processing first (status 2 while the program sleeps), then Accepted
    assertThat(seen).contains(2, 3).isSubsetOf(1, 2, 3);
    assertThat(s.getString("stdout")).isEqualTo("a-b c\n");
    assertThat(s.getInteger("language_id")).isEqualTo(46);
    JsonObject all = judge0Get("/submissions/" + token + "?fields=*", ALICE).bodyAsJsonObject();
    assertThat(all.getString("source_code")).startsWith("sleep 2");
    assertThat(all.getJsonObject("language")).isEqualTo(new JsonObject().put("id", 46).put("name", "Bash (5.2.15)"));
    assertThat(all.getInteger("exit_code")).isZero();
    assertThat(all.getString("wall_time")).matches("\\d+\\.\\d{3}");
    assertThat(Double.parseDouble(all.getString("wall_time"))).isGreaterThanOrEqualTo(2.0);
    HttpResponse<Buffer> bad = judge0Get("/submissions/" + token + "?fields=stdout,secret", ALICE);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "invalid fields: [secret]"));
    // another key's token is unknown to it
    HttpResponse<Buffer> other = judge0Get("/submissions/" + token, BOB);
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(other.bodyAsJsonObject().fieldNames()).containsExactly("error");
    assertThat(judge0Get("/submissions/batch?tokens=" + token, BOB).bodyAsJsonObject())
      .isEqualTo(new JsonObject().put("submissions", new JsonArray().addNull()));
  }

  @Test
  void everyStatusAProgramCanProduceThroughABatch() throws InterruptedException {
    String segv = "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)";
    List<JsonObject> items = List.of(
      submission(50, "#include <stdio.h>\nint main(void){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}")
        .put("stdin", "2 3").put("expected_output", "5"),                                        // 3
      submission(71, "print(6)").put("expected_output", "5"),                                    // 4
      submission(71, "while True: pass").put("cpu_time_limit", 1),                               // 5
      submission(50, "int main(void) { return missing; }"),                                      // 6
      submission(71, segv),                                                                      // 7
      submission(71, "print('x' * 8192)").put("max_file_size", 1),                               // 8
      submission(71, "import os, signal\nos.kill(os.getpid(), signal.SIGFPE)"),                   // 9
      submission(50, "#include <stdlib.h>\nint main(void){abort();}"),                           // 10
      submission(46, "echo out; echo err >&2; exit 3"),                                          // 11
      submission(71, "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)"),                  // 12
      submission(71, "a = bytearray(512 * 1024 * 1024)").put("memory_limit", 65536));            // 12 (OOM)
    HttpResponse<Buffer> created = judge0Post("/submissions/batch", new JsonObject()
      .put("submissions", new JsonArray(new ArrayList<>(items))));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    List<String> tokens = created.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("token")).toList();
    assertThat(tokens).hasSize(items.size()).doesNotContainNull();
    JsonArray results = awaitFinal(tokens, "&fields=token,status,stdout,stderr,compile_output,message,exit_code,"
      + "exit_signal,time");
    List<Integer> ids = results.stream().map(o -> ((JsonObject) o).getJsonObject("status").getInteger("id")).toList();
    assertThat(ids).as(results.encodePrettily()).containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12);
    assertThat(results.getJsonObject(0).getString("stdout")).isEqualTo("5\n");
    assertThat(results.getJsonObject(0).getString("token")).isEqualTo(tokens.get(0));
    assertThat(results.getJsonObject(2).getString("message")).isEqualTo("Time limit exceeded");
    assertThat(results.getJsonObject(3).getString("compile_output")).contains("missing");
    assertThat(results.getJsonObject(3).getValue("time")).isNull();
    assertThat(results.getJsonObject(4).getInteger("exit_signal")).isEqualTo(11);
    assertThat(results.getJsonObject(4).getString("message")).isEqualTo("Caught fatal signal 11");
    assertThat(results.getJsonObject(5).getInteger("exit_signal")).isEqualTo(25);
    assertThat(results.getJsonObject(7).getInteger("exit_signal")).isEqualTo(6);
    JsonObject nzec = results.getJsonObject(8);
    assertThat(nzec.getInteger("exit_code")).isEqualTo(3);
    assertThat(nzec.getString("stdout")).isEqualTo("out\n");
    assertThat(nzec.getString("stderr")).isEqualTo("err\n");
    assertThat(nzec.getString("message")).isEqualTo("Exited with error status 3");
  }

  @Test
  void attackersGetJudge0sErrorsAndNothingRuns() {
    // no key, a wrong key, and X-Auth-Token outside the Judge0 routes
    HttpResponse<Buffer> anonymous = await(client.get("/judge0/statuses").send());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.bodyAsJsonObject().fieldNames()).containsExactly("error");
    assertThat(judge0Get("/statuses", "not-a-key").statusCode()).isEqualTo(401);
    assertThat(send(client.get("/v1/runtimes"), ALICE, null).statusCode()).isEqualTo(401);
    // bad language ids, blank source, unsupported fields: 422 naming each field
    HttpResponse<Buffer> bad = judge0Post("/submissions", submission(150000, " ").put("callback_url",
      "http://169.254.169.254/").put("memory_limit", 1 << 30));
    assertThat(bad.statusCode()).isEqualTo(422);
    // callback_url: refused by webhooks.allow (empty here), under its field beside the others
    JsonObject refusal = bad.bodyAsJsonObject();
    assertThat(refusal.getJsonArray("callback_url").getString(0)).contains("webhooks.allow");
    refusal.remove("callback_url");
    assertThat(refusal).isEqualTo(new JsonObject()
      .put("source_code", new JsonArray().add("can't be blank"))
      .put("language_id", new JsonArray().add("language with id 150000 doesn't exist"))
      .put("memory_limit", new JsonArray().add("must be less than or equal to 1048576")));
    assertThat(judge0Post("/submissions", submission(71, "x").put("language_id", "71; rm")).bodyAsJsonObject())
      .isEqualTo(new JsonObject().put("language_id", new JsonArray().add("language with id 71; rm doesn't exist")));
    // malformed Base64 and malformed JSON
    HttpResponse<Buffer> malformed = judge0Post("/submissions?base64_encoded=true", submission(71, "cHJpbnQ*oMSk="));
    assertThat(malformed.statusCode()).isEqualTo(422);
    assertThat(malformed.bodyAsJsonObject().getJsonArray("source_code").getString(0)).contains("Base64");
    HttpResponse<Buffer> broken = await(client.post("/judge0/submissions").putHeader("x-auth-token", ALICE)
      .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer("{\"source_code\":")));
    assertThat(broken.statusCode()).isEqualTo(400);
    assertThat(broken.bodyAsJsonObject().getString("error")).startsWith("the request body is not valid JSON");
    // a source over http.maxScriptBytes
    HttpResponse<Buffer> huge = judge0Post("/submissions", submission(71, "#".repeat(2 << 20)));
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(huge.bodyAsJsonObject().getString("error")).contains("bytes");
    // batches over the cap, empty, and a batch read of too many tokens
    JsonArray many = new JsonArray();
    for (int i = 0; i < 21; i++) {
      many.add(submission(46, "echo " + i));
    }
    HttpResponse<Buffer> overCap = judge0Post("/submissions/batch", new JsonObject().put("submissions", many));
    assertThat(overCap.statusCode()).isEqualTo(400);
    assertThat(overCap.bodyAsJsonObject()).isEqualTo(new JsonObject()
      .put("error", "number of submissions in a batch should be less than or equal to 20"));
    assertThat(judge0Post("/submissions/batch", new JsonObject().put("submissions", "x")).bodyAsJsonObject())
      .isEqualTo(new JsonObject().put("error", "there should be at least one submission in a batch"));
    String tooManyTokens = String.join(",", java.util.Collections.nCopies(21, "00000000-0000-0000-0000-000000000000"));
    assertThat(judge0Get("/submissions/batch?tokens=" + tooManyTokens, ALICE).statusCode()).isEqualTo(400);
    // a batch of only refused items is 422, each item's errors in its place
    HttpResponse<Buffer> refused = judge0Post("/submissions/batch", new JsonObject().put("submissions",
      new JsonArray().add(submission(1, "x")).add("not an object")));
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.bodyAsJsonArray().getJsonObject(0).getJsonArray("language_id").getString(0))
      .isEqualTo("language with id 1 doesn't exist");
    assertThat(refused.bodyAsJsonArray().getJsonObject(1).fieldNames()).contains("source_code", "language_id");
    // what Judge0 has and this API does not: deleting and listing submissions
    assertThat(send(client.delete("/judge0/submissions/00000000-0000-0000-0000-000000000000"), ALICE, null)
      .statusCode()).isEqualTo(405);
    assertThat(judge0Get("/submissions", ALICE).statusCode()).isEqualTo(405);
    // unknown and forged tokens
    assertThat(judge0Get("/submissions/00000000-0000-0000-0000-000000000000", ALICE).statusCode()).isEqualTo(404);
    assertThat(judge0Get("/submissions/..%2F..%2Fetc", ALICE).statusCode()).isEqualTo(404);
  }
}
