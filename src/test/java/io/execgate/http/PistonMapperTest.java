package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.StageResult;
import io.execgate.model.Usage;
import io.execgate.request.RuntimeCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Piston API v2 mapping, request and response, against the default runtimes.
 */
class PistonMapperTest {

  private final GatewayOptions options = new GatewayOptions();
  private final PistonMapper mapper = new PistonMapper(options, new RuntimeCatalog(options));
  private final ExecutionRequestParser parser = new ExecutionRequestParser(options);

  private ExecutionJob job(JsonObject piston) {
    return parser.parse(mapper.toSubmit(piston).submit(), false).job();
  }

  private String failure(JsonObject piston) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> job(piston));
    assertThat(e).as("no failure for %s", piston).isNotNull();
    assertThat(e.code().httpStatus()).isIn(400, 422);
    return e.getMessage();
  }

  @Test
  void runtimesListLanguageVersionAndAliases() {
    JsonArray list = mapper.runtimes();
    assertThat(list).hasSize(options.getRuntimes().size());
    JsonObject js = list.stream().map(JsonObject.class::cast).filter(o -> o.getString("language").equals("javascript"))
      .findFirst().orElseThrow();
    assertThat(js.getString("version")).isEqualTo("18.20.4");
    assertThat(js.getJsonArray("aliases").getList()).contains("js", "node");
    assertThat(js.fieldNames()).containsExactlyInAnyOrder("language", "version", "aliases");
  }

  @Test
  void packagesAreTheConfiguredRuntimesInstalled() {
    JsonArray list = mapper.packages();
    assertThat(list).hasSize(options.getRuntimes().size());
    assertThat(list.getJsonObject(0).fieldNames()).containsExactly("language", "language_version", "installed");
    assertThat(list.stream().map(JsonObject.class::cast).filter(o -> o.getString("language").equals("python")))
      .containsExactly(new JsonObject().put("language", "python").put("language_version", "3.11.2")
        .put("installed", true));
  }

  @Test
  void aPackageRequestSelectsByNameOrAliasAndAnNpmRange() {
    assertThat(mapper.toPackage(new JsonObject().put("language", "py").put("version", "3.10 - 3.12")).name())
      .isEqualTo("python");
    assertThat(mapper.toPackage(new JsonObject().put("language", "gcc").put("version", ">= 12")).name())
      .isEqualTo("c");
    GatewayException none = catchThrowableOfType(GatewayException.class,
      () -> mapper.toPackage(new JsonObject().put("language", "python").put("version", "2.x")));
    assertThat(none.code().httpStatus()).isEqualTo(404);
    assertThat(none.getMessage()).isEqualTo("Requested package python-2.x does not exist");
    GatewayException noVersion = catchThrowableOfType(GatewayException.class,
      () -> mapper.toPackage(new JsonObject().put("language", "python").put("version", 3)));
    assertThat(noVersion.code().httpStatus()).isEqualTo(400);
    assertThat(noVersion.getMessage()).isEqualTo("version is required as a string");
  }

  @Test
  void theDocumentedRequestBecomesAnExecution() {
    ExecutionJob job = job(PistonFixtures.documentedRequest("18.20.4"));
    assertThat(job.runtime().name()).isEqualTo("javascript");
    assertThat(job.image()).isEqualTo("execgate/nodejs-runtime:offline");
    assertThat(job.files()).hasSize(1);
    assertThat(job.files().get(0).name()).isEqualTo("my_cool_code.js");
    assertThat(job.files().get(0).content()).asString(StandardCharsets.UTF_8).isEqualTo("console.log(process.argv)");
    assertThat(job.args()).containsExactly("1", "2", "3");
    // like Piston, stdin always ends with a newline
    assertThat(job.stdin()).asString(StandardCharsets.UTF_8).isEqualTo("\n");
    assertThat(job.limits().timeoutMs()).isEqualTo(3000);
    // -1 is Piston's "no limit": the operator's default
    assertThat(job.limits().memoryMb()).isEqualTo(options.getExecutor().getLimits().memoryMb());
    assertThat(job.runtime().compileTimeoutMs()).isEqualTo(10_000);
  }

  @Test
  void versionSelectorsPickTheRuntime() {
    assertThat(job(PistonFixtures.documentedRequest("18.x")).runtime().name()).isEqualTo("javascript");
    assertThat(job(PistonFixtures.documentedRequest("*")).runtime().name()).isEqualTo("javascript");
    assertThat(job(PistonFixtures.documentedRequest("18.20.4").copy().put("language", "node")).runtime().name())
      .isEqualTo("javascript");
    JsonObject noVersion = PistonFixtures.documentedRequest("x");
    noVersion.remove("version");
    assertThat(job(noVersion).runtime().version()).isEqualTo("18.20.4");
  }

  @Test
  void badRequestsGetPistonsMessages() {
    assertThat(failure(PistonFixtures.documentedRequest("15.10.0")))
      .startsWith("js-15.10.0 runtime is unknown; available: sh 1.35.0, bash 5.2.15, python 3.11.2");
    assertThat(failure(new JsonObject().put("version", "*"))).isEqualTo("language is required as a string");
    assertThat(failure(new JsonObject().put("language", "python").put("version", 3)))
      .isEqualTo("version is required as a string");
    assertThat(failure(new JsonObject().put("language", "python").put("version", "*")))
      .isEqualTo("files is required as an array");
    assertThat(failure(new JsonObject().put("language", "python").put("version", "*")
      .put("files", new JsonArray().add(new JsonObject().put("name", "a.py")))))
      .isEqualTo("files[0].content is required as a string");
    assertThat(failure(PistonFixtures.documentedRequest("*").put("run_timeout", 120_000)))
      .isEqualTo("run_timeout cannot exceed the configured limit of 60000");
    assertThat(failure(PistonFixtures.documentedRequest("*").put("run_timeout", "fast")))
      .isEqualTo("If specified, run_timeout must be a number");
    assertThat(failure(PistonFixtures.documentedRequest("*").put("compile_timeout", -5)))
      .isEqualTo("compile_timeout must be non-negative");
    assertThat(failure(PistonFixtures.documentedRequest("*").put("run_memory_limit", 2L << 30)))
      .isEqualTo("run_memory_limit cannot exceed the configured limit of 1073741824");
    assertThat(failure(PistonFixtures.documentedRequest("*").put("files", new JsonArray()
      .add(new JsonObject().put("content", "AA==").put("encoding", "base64")))))
      .isEqualTo("files must include at least one utf8 encoded file");
    assertThat(failure(PistonFixtures.documentedRequest("*").put("files", new JsonArray()
      .add(new JsonObject().put("name", "../x.js").put("content", "1")))))
      .isEqualTo("files[0].name must not contain empty, '.' or '..' segments");
  }

  @Test
  void filesLikePistonsTheFirstUtf8FileRunsAndHexIsDecoded() {
    ExecutionJob job = job(new JsonObject().put("language", "python").put("version", "3.x")
      .put("files", new JsonArray()
        .add(new JsonObject().put("name", "data.bin").put("content", "00ff10").put("encoding", "hex"))
        .add(new JsonObject().put("content", "print(1)"))
        .add(new JsonObject().put("content", "x = 2").put("encoding", "latin1")))
      .put("stdin", "a\nb")
      .put("run_memory_limit", 64 << 20).put("compile_memory_limit", 100_000_000));
    assertThat(job.files()).extracting(f -> f.name()).containsExactly("main.py", "data.bin", "file2.code");
    assertThat(job.files().get(1).content()).containsExactly(0x00, 0xff, 0x10);
    assertThat(job.stdin()).asString(StandardCharsets.UTF_8).isEqualTo("a\nb\n");
    // one container: the larger of the two memory limits, in MiB rounded up
    assertThat(job.limits().memoryMb()).isEqualTo(96);
  }

  private static ExecutionResult result(ExecutionStatus status, Integer exitCode, String signal, String stdout,
                                        String stderr, boolean stdoutCut, String message, StageResult compile) {
    return new ExecutionResult("id", status, exitCode, signal, stdout, stderr, stdoutCut, false, "img", "c", 25L,
      3L, new Usage(40L, 5_000_000L), message, 1L, compile);
  }

  private JsonObject respond(ExecutionResult r, String language, String runOutput, String compileOutput) {
    return mapper.response(r, new RuntimeCatalog(options).select(language, null), runOutput, compileOutput);
  }

  @Test
  void aSuccessfulRunHasPistonsRunStage() {
    JsonObject json = respond(result(ExecutionStatus.SUCCEEDED, 0, null, "a\nc\n", "b\n", false, null, null),
      "javascript", "a\nb\nc\n", "");
    assertThat(json.getString("language")).isEqualTo("javascript");
    assertThat(json.getString("version")).isEqualTo("18.20.4");
    assertThat(json.containsKey("compile")).isFalse();
    assertThat(json.getJsonObject("run")).isEqualTo(new JsonObject()
      .put("stdout", "a\nc\n").put("stderr", "b\n").put("output", "a\nb\nc\n").put("code", 0).putNull("signal")
      .putNull("message").putNull("status").put("memory", 5_000_000L).put("cpu_time", 40L).put("wall_time", 25L));
  }

  @Test
  void theOutputFallsBackToStdoutThenStderrWhenTheInterleavingIsIncomplete() {
    JsonObject json = respond(result(ExecutionStatus.FAILED, 2, null, "out\n", "err\n", false, null, null),
      "python", "out\n", "");
    JsonObject run = json.getJsonObject("run");
    assertThat(run.getString("output")).isEqualTo("out\nerr\n");
    assertThat(run.getInteger("code")).isEqualTo(2);
    assertThat(run.getString("status")).isEqualTo("RE");
    assertThat(run.getString("message")).isEqualTo("Exited with error status 2");
  }

  @Test
  void aFailedCompileIsAlsoTheRunStageAsInPiston() {
    StageResult compile = new StageResult(1, null, "", "main.c:1: error: expected ';'\n", false, false, 120L,
      new Usage(30L, 4_000_000L));
    JsonObject json = respond(result(ExecutionStatus.FAILED, null, null, "", "", false,
      "the compile step failed with exit code 1; the program was not run", compile), "c", "", null);
    JsonObject c = json.getJsonObject("compile");
    assertThat(c.getString("stderr")).isEqualTo("main.c:1: error: expected ';'\n");
    assertThat(c.getString("output")).isEqualTo("main.c:1: error: expected ';'\n");
    assertThat(c.getInteger("code")).isEqualTo(1);
    assertThat(c.getString("status")).isEqualTo("RE");
    assertThat(c.getLong("wall_time")).isEqualTo(120L);
    assertThat(c.getLong("cpu_time")).isEqualTo(30L);
    assertThat(json.getJsonObject("run")).isEqualTo(c);
  }

  @Test
  void aCompiledRunSeparatesTheTwoStages() {
    StageResult compile = new StageResult(0, null, "", "warning: x\n", false, false, 300L, new Usage(25L, 1L));
    JsonObject json = respond(result(ExecutionStatus.SUCCEEDED, 0, null, "hi\n", "", false, null, compile), "c",
      "hi\n", "warning: x\n");
    assertThat(json.getJsonObject("compile").getString("output")).isEqualTo("warning: x\n");
    assertThat(json.getJsonObject("compile").getInteger("code")).isZero();
    assertThat(json.getJsonObject("run").getString("output")).isEqualTo("hi\n");
    // the run's CPU time is the sandbox's total minus the compile step's
    assertThat(json.getJsonObject("run").getLong("cpu_time")).isEqualTo(15L);
  }

  @Test
  void killsBecomePistonStatuses() {
    JsonObject timeout = respond(result(ExecutionStatus.TIMEOUT, 137, "SIGKILL", "x", "", false,
      "the program passed its deadline of 3000 ms and was killed", null), "python", "x", null).getJsonObject("run");
    assertThat(timeout.getString("status")).isEqualTo("TO");
    assertThat(timeout.getValue("code")).isNull();
    assertThat(timeout.getString("signal")).isEqualTo("SIGKILL");
    assertThat(timeout.getString("message")).contains("deadline");
    JsonObject flood = respond(result(ExecutionStatus.OUTPUT_LIMIT, 137, "SIGKILL", "yyyy", "", true, "output",
      null), "python", null, null).getJsonObject("run");
    assertThat(flood.getString("status")).isEqualTo("OL");
    JsonObject segv = respond(result(ExecutionStatus.FAILED, 139, "SIGSEGV", "", "", false, null, null), "c", "",
      null).getJsonObject("run");
    assertThat(segv.getString("status")).isEqualTo("SG");
    assertThat(segv.getString("signal")).isEqualTo("SIGSEGV");
    assertThat(segv.getValue("code")).isNull();
    assertThat(segv.getString("message")).isEqualTo("Caught fatal signal 11");
    JsonObject oom = respond(result(ExecutionStatus.OOM_KILLED, 137, "SIGKILL", "", "", false, "memory", null), "c",
      "", null).getJsonObject("run");
    assertThat(oom.getString("status")).isEqualTo("SG");
    assertThat(oom.getString("signal")).isEqualTo("SIGKILL");
  }

  @Test
  void aCompileTimeoutIsReportedOnTheCompileStage() {
    StageResult compile = new StageResult(137, "SIGKILL", "", "", false, false, 10_000L, Usage.UNKNOWN);
    JsonObject json = respond(result(ExecutionStatus.TIMEOUT, null, null, "", "", false,
      "the compile step passed its deadline of 10000 ms and was killed", compile), "c", "", "");
    assertThat(json.getJsonObject("compile").getString("status")).isEqualTo("TO");
    assertThat(json.getJsonObject("compile").getString("message")).startsWith("the compile step passed its deadline");
    assertThat(json.getJsonObject("run")).isEqualTo(json.getJsonObject("compile"));
  }
}
