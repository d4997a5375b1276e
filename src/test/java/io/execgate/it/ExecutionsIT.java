package io.execgate.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The execution API end to end on the real engine: results, input delivery, status reads, cancel.
 */
class ExecutionsIT extends GatewayITBase {

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @AfterAll
  void theResponsesWereCheckedAgainstOpenApi() {
    assertThat(openApi.checked()).contains("submitExecution 200", "submitExecution 202", "getExecution 200",
      "getExecution 404", "cancelExecution 200", "cancelExecution 404", "listRuntimes 200", "listImages 200",
      "health 200", "ready 200", "openapi 200", "webPage 200", "webAsset 200");
  }

  @Test
  void theReadOnlyRoutesAndTheWebPagesFilesAnswerAsDocumented() {
    // each response is checked against openapi.json on its way (checksResponsesAgainstOpenApi)
    assertThat(get("/v1/images").bodyAsJsonObject().getJsonArray("images")).isNotNull();
    assertThat(get("/health").bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(get("/ready").statusCode()).isEqualTo(200);
    assertThat(get("/openapi.json").bodyAsJsonObject().getString("openapi")).startsWith("3.1");
    assertThat(get("/v1/executions/no-such-execution").statusCode()).isEqualTo(404);
    assertThat(delete("/v1/executions/no-such-execution").statusCode()).isEqualTo(404);
    assertThat(get("/").bodyAsString()).contains("assets/codemirror/lib/codemirror.js");
    assertThat(get("/assets/app.js").getHeader("content-type")).startsWith("text/javascript");
    assertThat(get("/assets/codemirror/lib/codemirror.js").bodyAsString()).contains("CodeMirror");
    // the WebJar's demo pages are not served
    assertThat(get("/assets/codemirror/mode/shell/index.html").statusCode()).isEqualTo(404);
  }

  @Test
  void aSyncExecutionAnswersWithTheSeparatedStreamsAndTheExitCode() {
    JsonObject r = run(new JsonObject().put("script", "echo hi; echo err >&2; exit 3").put("wait", true));
    assertThat(r.getString("status")).isEqualTo("failed");
    assertThat(r.getInteger("exitCode")).isEqualTo(3);
    assertThat(r.getString("stdout")).isEqualTo("hi\n");
    assertThat(r.getString("stderr")).isEqualTo("err\n");
    assertThat(r.getBoolean("stdoutTruncated")).isFalse();
    assertThat(r.getString("image")).isEqualTo(DockerSupport.IMAGE);
    assertThat(r.getLong("durationMs")).isNotNull().isGreaterThanOrEqualTo(0);
    assertThat(r.getLong("queuedMs")).isNotNull().isGreaterThanOrEqualTo(0);
    assertThat(r.getJsonObject("usage").getLong("memoryPeakBytes")).isPositive();
  }

  @Test
  void anAsyncExecutionIsAcceptedThenReadableWhenFinal() throws Exception {
    HttpResponse<Buffer> accepted = post("/v1/executions", new JsonObject().put("script", "echo async"));
    assertThat(accepted.statusCode()).isEqualTo(202);
    JsonObject body = accepted.bodyAsJsonObject();
    String id = body.getString("id");
    assertThat(body.getString("status")).isEqualTo("queued");
    assertThat(accepted.getHeader("location")).isEqualTo("/v1/executions/" + id);
    assertThat(body.getJsonObject("links").getString("self")).isEqualTo("/v1/executions/" + id);
    JsonObject done = awaitStatus(id, GatewayITBase::isFinal, 30_000);
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getInteger("exitCode")).isZero();
    assertThat(done.getString("stdout")).isEqualTo("async\n");
  }

  @Test
  void stdinArgsAndEnvReachTheProgram() {
    JsonObject r = run(new JsonObject()
      .put("script", "read -r a; read -r b; echo \"$a+$b\"; printf '[%s]' \"$@\"; echo; echo \"$GREETING\"")
      .put("stdin", "one\ntwo\n")
      .put("args", new JsonArray().add("x y").add("it's").add("$(id)"))
      .put("env", new JsonObject().put("GREETING", "hello 'world' $HOME")));
    assertThat(r.getString("status")).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("one+two\n[x y][it's][$(id)]\nhello 'world' $HOME\n");
  }

  @Test
  void programsWithoutStdinSeeEndOfFile() {
    JsonObject r = run("cat; echo done");
    assertThat(r.getString("status")).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("done\n");
  }

  @Test
  void multipleFilesInDirectoriesAndBase64ArriveByteForByte() {
    byte[] binary = new byte[70_000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 31);
    }
    JsonObject r = run(new JsonObject().put("files", new JsonArray()
      .add(new JsonObject().put("name", "main.sh").put("content", ". lib/util.sh; greet; sha256sum data/blob.bin; pwd"))
      .add(new JsonObject().put("name", "lib/util.sh").put("content", "greet() { echo from-util; }"))
      .add(new JsonObject().put("name", "data/blob.bin").put("encoding", "base64")
        .put("content", Base64.getEncoder().encodeToString(binary)))));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("from-util\n" + sha256(binary) + "  data/blob.bin\n/tmp/work\n");
  }

  @Test
  void aOneMebibyteScriptRuns() {
    StringBuilder sb = new StringBuilder("echo start\n");
    String filler = "# " + "x".repeat(76) + "\n";
    while (sb.length() + filler.length() + 20 < (1 << 20)) {
      sb.append(filler);
    }
    sb.append("echo end\n");
    while (sb.length() < (1 << 20)) {
      sb.append('#');
    }
    assertThat(sb.toString().getBytes(StandardCharsets.UTF_8)).hasSize(1 << 20);
    JsonObject r = run(sb.toString());
    assertThat(r.getString("status")).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("start\nend\n");
  }

  @Test
  void largeOutputArrivesIntactAndInOrder() {
    JsonObject r = run(new JsonObject().put("script", "seq 1 100000; seq 1 20000 >&2")
      .put("limits", new JsonObject().put("outputBytes", 4 << 20)));
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 100_000; i++) {
      expected.append(i).append('\n');
    }
    assertThat(r.getString("status")).isEqualTo("succeeded");
    assertThat(sha256(r.getString("stdout").getBytes(StandardCharsets.UTF_8)))
      .isEqualTo(sha256(expected.toString().getBytes(StandardCharsets.UTF_8)));
    assertThat(r.getString("stderr")).startsWith("1\n2\n3\n").endsWith("\n19999\n20000\n");
  }

  @Test
  void nonAsciiOutputIsDecodedAsUtf8() {
    JsonObject r = run("printf 'h\\303\\251llo \\360\\237\\230\\200 \\344\\270\\255\\n'; printf '\\377\\n' >&2");
    assertThat(r.getString("stdout")).isEqualTo("h\u00e9llo \uD83D\uDE00 \u4e2d\n");
    assertThat(r.getString("stderr")).isEqualTo("\uFFFD\n");
  }

  @Test
  void unicodeInScriptsArgsAndStdinRoundTrips() {
    JsonObject r = run(new JsonObject().put("script", "echo \"ü $1\"; cat").put("args", new JsonArray().add("日本"))
      .put("stdin", "ß\uD83D\uDE00"));
    assertThat(r.getString("stdout")).isEqualTo("ü 日本\nß\uD83D\uDE00");
  }

  @Test
  void deleteCancelsARunningExecutionAndRemovesItsContainer() throws Exception {
    HttpResponse<Buffer> accepted = post("/v1/executions", new JsonObject().put("script", "echo started; sleep 60"));
    String id = accepted.bodyAsJsonObject().getString("id");
    awaitStatus(id, "running"::equals, 30_000);
    long seen = System.currentTimeMillis() + 10_000;
    while (!DockerSupport.executionContainerExists(docker, id) && System.currentTimeMillis() < seen) {
      Thread.sleep(50);
    }
    assertThat(DockerSupport.executionContainerExists(docker, id)).isTrue();
    long t0 = System.nanoTime();
    HttpResponse<Buffer> cancelled = delete("/v1/executions/" + id);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(ms).isLessThan(5_000);
    assertThat(get("/v1/executions/" + id).bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(DockerSupport.awaitExecutionContainerGone(docker, id, 5_000)).isTrue();
    HttpResponse<Buffer> again = delete("/v1/executions/" + id);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("already_finished");
  }

  @Test
  void anUnknownImageEndsInErrorWithAClearMessage() {
    JsonObject r = run(new JsonObject().put("script", "echo").put("image", "execgate-test/missing:1"));
    assertThat(r.getString("status")).isEqualTo("error");
    assertThat(r.getString("message")).contains("execgate-test/missing:1");
    assertThat(r.getInteger("exitCode")).isNull();
  }

  @Test
  void unknownExecutionsAre404() {
    HttpResponse<Buffer> r = get("/v1/executions/00000000-0000-0000-0000-000000000000");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
    assertThat(get("/v1/executions/not-an-id").statusCode()).isEqualTo(404);
  }

  @Test
  void runtimesHealthAndReadiness() {
    JsonObject runtimes = get("/v1/runtimes").bodyAsJsonObject();
    assertThat(runtimes.getString("default")).isEqualTo("sh");
    JsonObject sh = runtimes.getJsonArray("runtimes").getJsonObject(0);
    assertThat(sh.getString("name")).isEqualTo("sh");
    assertThat(sh.getString("image")).isEqualTo(DockerSupport.IMAGE);
    assertThat(get("/health").bodyAsJsonObject().getString("status")).isEqualTo("UP");
    HttpResponse<Buffer> ready = get("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getBoolean("ready")).isTrue();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
