package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.StageResult;
import io.execgate.model.Usage;
import io.execgate.request.RuntimeCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Judge0 layer's pure logic: which status a result is, Base64 in and out, {@code fields}, the
 * limits' conversion and Judge0's validation answers.
 */
class Judge0MappingTest {

  private final GatewayOptions options = new GatewayOptions();
  private final Judge0Languages languages = new Judge0Languages(new RuntimeCatalog(options).all());
  private final Judge0Request requests = new Judge0Request(languages, options.getExecutor().getMaxLimits(),
    options.getHttp().getMaxScriptBytes());

  private static ExecutionResult result(ExecutionStatus status, Integer exitCode, String signal, String stdout,
                                        StageResult compile) {
    return new ExecutionResult("t-1", status, exitCode, signal, stdout, "", false, false, "img", "c", 12L, 3L,
      new Usage(40L, 2_097_152L), status == ExecutionStatus.ERROR ? "engine gone" : null, 1_700_000_000_000L,
      compile, null, "anonymous");
  }

  private static ExecutionResult result(ExecutionStatus status, Integer exitCode, String signal) {
    return result(status, exitCode, signal, "42\n", null);
  }

  private static StageResult compile(Integer exitCode, String stderr) {
    return new StageResult(exitCode, null, "", stderr, false, false, 300L, new Usage(30L, 1024L));
  }

  @Test
  void everyStatusIdIsChosenAsJudge0ChoosesIt() {
    assertThat(Judge0Status.of(result(ExecutionStatus.QUEUED, null, null), null).id()).isEqualTo(1);
    assertThat(Judge0Status.of(result(ExecutionStatus.RUNNING, null, null), null).id()).isEqualTo(2);
    assertThat(Judge0Status.of(result(ExecutionStatus.STARTING, null, null), null).id()).isEqualTo(2);
    assertThat(Judge0Status.of(result(ExecutionStatus.SUCCEEDED, 0, null), null).id()).isEqualTo(3);
    assertThat(Judge0Status.of(result(ExecutionStatus.SUCCEEDED, 0, null), true).id()).isEqualTo(3);
    assertThat(Judge0Status.of(result(ExecutionStatus.SUCCEEDED, 0, null), false).id()).isEqualTo(4);
    assertThat(Judge0Status.of(result(ExecutionStatus.TIMEOUT, null, "SIGKILL"), null).id()).isEqualTo(5);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 1, null, "", compile(1, "error: x")), null).id())
      .isEqualTo(6);
    assertThat(Judge0Status.of(result(ExecutionStatus.TIMEOUT, null, null, "", compile(null, "")), null).id())
      .isEqualTo(6);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 139, "SIGSEGV"), null).id()).isEqualTo(7);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 153, "SIGXFSZ"), null).id()).isEqualTo(8);
    assertThat(Judge0Status.of(result(ExecutionStatus.OUTPUT_LIMIT, null, "SIGKILL"), null).id()).isEqualTo(8);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 136, "SIGFPE"), null).id()).isEqualTo(9);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 134, "SIGABRT"), null).id()).isEqualTo(10);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 3, null), null).id()).isEqualTo(11);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 3, null), true).id()).isEqualTo(11);
    assertThat(Judge0Status.of(result(ExecutionStatus.FAILED, 143, "SIGTERM"), null).id()).isEqualTo(12);
    assertThat(Judge0Status.of(result(ExecutionStatus.OOM_KILLED, 137, "SIGKILL"), null).id()).isEqualTo(12);
    assertThat(Judge0Status.of(result(ExecutionStatus.ERROR, null, null), null).id()).isEqualTo(13);
    assertThat(Judge0Status.of(result(ExecutionStatus.CANCELLED, null, null), null).id()).isEqualTo(13);
    // a compile step that succeeded does not make a compilation error
    assertThat(Judge0Status.of(result(ExecutionStatus.SUCCEEDED, 0, null, "x", compile(0, "warning")), null).id())
      .isEqualTo(3);
    // an internal error stays one even when the compile step had failed
    assertThat(Judge0Status.of(result(ExecutionStatus.ERROR, null, null, "", compile(1, "")), null).id())
      .isEqualTo(13);
  }

  @Test
  void statusesAreJudge0sFourteen() {
    JsonArray all = Judge0Status.all();
    assertThat(all).hasSize(14);
    assertThat(all.getJsonObject(0)).isEqualTo(new JsonObject().put("id", 1).put("description", "In Queue"));
    assertThat(all.getJsonObject(10)).isEqualTo(new JsonObject().put("id", 11)
      .put("description", "Runtime Error (NZEC)"));
    assertThat(all.getJsonObject(13)).isEqualTo(new JsonObject().put("id", 14).put("description", "Exec Format Error"));
  }

  @Test
  void theDefaultFieldsAreJudge0sEight() {
    JsonObject json = Judge0Output.render(result(ExecutionStatus.SUCCEEDED, 0, null), null, 50, "C (GCC 12.2.0)",
      false, Judge0Output.DEFAULT_FIELDS);
    assertThat(json.fieldNames()).containsExactly("token", "time", "memory", "stdout", "stderr", "compile_output",
      "message", "status");
    assertThat(json.getString("token")).isEqualTo("t-1");
    assertThat(json.getString("time")).isEqualTo("0.040");
    assertThat(json.getLong("memory")).isEqualTo(2048);
    assertThat(json.getString("stdout")).isEqualTo("42\n");
    assertThat(json.getValue("stderr")).isNull();
    assertThat(json.getValue("compile_output")).isNull();
    assertThat(json.getValue("message")).isNull();
    assertThat(json.getJsonObject("status")).isEqualTo(new JsonObject().put("id", 3).put("description", "Accepted"));
  }

  @Test
  void fieldsAreReadAsJudge0ReadsThem() {
    assertThat(Judge0Output.Fields.parse(null).names()).isEqualTo(Judge0Output.DEFAULT_FIELDS);
    assertThat(Judge0Output.Fields.parse("").names()).isEqualTo(Judge0Output.DEFAULT_FIELDS);
    assertThat(Judge0Output.Fields.parse("stdout,status_id,language_id").names())
      .containsExactly("stdout", "status_id", "language_id");
    assertThat(Judge0Output.Fields.parse("*").names()).isEqualTo(Judge0Output.ALL_FIELDS);
    Judge0Output.Fields bad = Judge0Output.Fields.parse("stdout,nope, stderr");
    assertThat(bad.problem()).isEqualTo("invalid fields: [nope,  stderr]");
    JsonObject all = Judge0Output.render(result(ExecutionStatus.FAILED, 3, null), null, 50, "C (GCC 12.2.0)", false,
      Judge0Output.ALL_FIELDS);
    assertThat(all.fieldNames()).containsExactlyElementsOf(Judge0Output.ALL_FIELDS);
    assertThat(all.getInteger("status_id")).isEqualTo(11);
    assertThat(all.getInteger("exit_code")).isEqualTo(3);
    assertThat(all.getValue("exit_signal")).isNull();
    assertThat(all.getString("message")).isEqualTo("Exited with error status 3");
    assertThat(all.getJsonObject("language")).isEqualTo(new JsonObject().put("id", 50).put("name", "C (GCC 12.2.0)"));
    assertThat(all.getString("wall_time")).isEqualTo("0.012");
    assertThat(all.getString("created_at")).isEqualTo("2023-11-14T22:13:20Z");
  }

  @Test
  void signalsAndCompileFailuresFillJudge0sFields() {
    JsonObject segv = Judge0Output.render(result(ExecutionStatus.FAILED, 139, "SIGSEGV"), null, 50, "C",
      false, Judge0Output.ALL_FIELDS);
    assertThat(segv.getInteger("exit_signal")).isEqualTo(11);
    assertThat(segv.getInteger("exit_code")).isZero();
    assertThat(segv.getString("message")).isEqualTo("Caught fatal signal 11");
    JsonObject ce = Judge0Output.render(result(ExecutionStatus.FAILED, 1, null, "", compile(1, "main.c:1: error\n")),
      null, 50, "C", false, Judge0Output.ALL_FIELDS);
    assertThat(ce.getInteger("status_id")).isEqualTo(6);
    assertThat(ce.getString("compile_output")).isEqualTo("main.c:1: error\n");
    assertThat(ce.getValue("time")).isNull();
    assertThat(ce.getValue("memory")).isNull();
    assertThat(ce.getValue("stdout")).isNull();
    assertThat(ce.getValue("exit_code")).isNull();
    JsonObject compileTimeout = Judge0Output.render(result(ExecutionStatus.TIMEOUT, null, null, "", compile(null, "")),
      null, 50, "C", false, Judge0Output.DEFAULT_FIELDS);
    assertThat(compileTimeout.getString("compile_output")).isEqualTo("Compilation time limit exceeded.");
    JsonObject tle = Judge0Output.render(result(ExecutionStatus.TIMEOUT, null, "SIGKILL"), null, 50, "C", false,
      Judge0Output.ALL_FIELDS);
    assertThat(tle.getString("message")).isEqualTo("Time limit exceeded");
    assertThat(tle.getInteger("exit_signal")).isEqualTo(9);
  }

  @Test
  void base64OutIsRubysEncode64AndNonUtf8WithoutItIsJudge0sError() {
    assertThat(Judge0Output.encode64("hello, Judge0\n")).isEqualTo("aGVsbG8sIEp1ZGdlMAo=\n");
    assertThat(Judge0Output.encode64("")).isEmpty();
    String long64 = Judge0Output.encode64("x".repeat(100));
    assertThat(long64.split("\n")).hasSize(3).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(60));
    assertThat(new String(Base64.getMimeDecoder().decode(long64), StandardCharsets.UTF_8)).isEqualTo("x".repeat(100));
    JsonObject encoded = Judge0Output.render(result(ExecutionStatus.SUCCEEDED, 0, null, "a\uFFFDb", null), null, 71,
      "Python", true, List.of("stdout"));
    assertThat(encoded.getString("stdout")).isEqualTo(Judge0Output.encode64("a\uFFFDb"));
    assertThatThrownBy(() -> Judge0Output.render(result(ExecutionStatus.SUCCEEDED, 0, null, "a\uFFFDb", null), null,
      71, "Python", false, List.of("stdout")))
      .isInstanceOf(Judge0Output.NotUtf8.class).hasMessage(Judge0Output.NOT_UTF8);
    // a field not asked for is not looked at
    assertThat(Judge0Output.render(result(ExecutionStatus.SUCCEEDED, 0, null, "a\uFFFDb", null), null, 71, "Python",
      false, List.of("status")).getJsonObject("status").getInteger("id")).isEqualTo(3);
  }

  @Test
  void base64InIsDecodedAndMalformedBase64IsAFieldError() {
    JsonObject body = new JsonObject().put("language_id", 71)
      .put("source_code", Base64.getEncoder().encodeToString("print(input())".getBytes(StandardCharsets.UTF_8)))
      .put("stdin", "aGk=\n").put("expected_output", "aGk");
    Judge0Request.Parsed parsed = requests.parse(body, true);
    ExecutionRequest request = parsed.request();
    assertThat(new String(request.files().get(0).content(), StandardCharsets.UTF_8)).isEqualTo("print(input())");
    assertThat(request.files().get(0).name()).isEqualTo("main.py");
    assertThat(request.stdin()).isEqualTo("hi");
    assertThat(parsed.submission().expectedOutput()).isEqualTo("hi");
    assertThat(parsed.submission().expectedDigest()).isEqualTo(Judge0Output.digest("hi\n\n"));
    assertThatThrownBy(() -> requests.parse(body.copy().put("source_code", "print(1)!"), true))
      .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors()).isEqualTo(new JsonObject()
        .put("source_code", new JsonArray().add("is not valid Base64 (base64_encoded=true)"))));
    // without base64_encoded, the same text is the source
    assertThat(new String(requests.parse(body.copy().put("source_code", "print(1)!"), false).request().files().get(0)
      .content(), StandardCharsets.UTF_8)).isEqualTo("print(1)!");
  }

  @Test
  void limitsAreConvertedWithinTheGatewaysMaxima() {
    assertThat(Judge0Request.timeoutMs(null, null)).isNull();
    assertThat(Judge0Request.timeoutMs(2.0, null)).isEqualTo(2000);
    assertThat(Judge0Request.timeoutMs(2.0, 1.5)).isEqualTo(1500);
    assertThat(Judge0Request.timeoutMs(0.0, 3.0)).isEqualTo(3000);
    assertThat(Judge0Request.timeoutMs(0.0001, null)).isEqualTo(1);
    JsonObject body = new JsonObject().put("language_id", "50").put("source_code", "int main(){}")
      .put("cpu_time_limit", 1.5).put("memory_limit", 128_000).put("max_file_size", 64)
      .put("command_line_arguments", "a 'b c' \"d\"; rm -rf $HOME");
    ExecutionRequest request = requests.parse(body, false).request();
    assertThat(request.language()).isEqualTo("c");
    assertThat(request.limits().timeoutMs()).isEqualTo(1500);
    assertThat(request.limits().memoryMb()).isEqualTo(125);
    assertThat(request.limits().outputBytes()).isEqualTo(64 * 1024);
    assertThat(request.args()).containsExactly("a", "b c", "d", "rm", "-rf", "HOME");
    JsonObject tooMuch = new JsonObject().put("language_id", 50).put("source_code", "x")
      .put("wall_time_limit", 61).put("memory_limit", 1000).put("cpu_time_limit", "soon");
    assertThatThrownBy(() -> requests.parse(tooMuch, false))
      .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors()).isEqualTo(new JsonObject()
        .put("cpu_time_limit", new JsonArray().add("is not a number"))
        .put("wall_time_limit", new JsonArray().add("must be less than or equal to 60"))
        .put("memory_limit", new JsonArray().add("must be greater than or equal to 2048"))));
  }

  @Test
  void refusalsHaveJudge0sShapeAndMessages() {
    assertThatThrownBy(() -> requests.parse(new JsonObject().put("source_code", " "), false))
      .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors()).isEqualTo(new JsonObject()
        .put("source_code", new JsonArray().add("can't be blank"))
        .put("language_id", new JsonArray().add("can't be blank"))));
    assertThatThrownBy(() -> requests.parse(new JsonObject().put("source_code", "x").put("language_id", 150000), false))
      .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors()).isEqualTo(new JsonObject()
        .put("language_id", new JsonArray().add("language with id 150000 doesn't exist"))));
    JsonObject unsupported = new JsonObject().put("source_code", "x").put("language_id", 71)
      .put("callback_url", "http://127.0.0.1/hook").put("compiler_options", "-O0").put("additional_files", "UEsF")
      .put("enable_network", true).put("redirect_stderr_to_stdout", true).put("number_of_runs", 21);
    assertThatThrownBy(() -> requests.parse(unsupported, false))
      .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors().fieldNames())
        .containsExactlyInAnyOrder("callback_url", "compiler_options", "additional_files", "enable_network",
          "redirect_stderr_to_stdout", "number_of_runs"));
    // what Judge0 ignores unknown or turned off is accepted
    JsonObject accepted = new JsonObject().put("source_code", "x").put("language_id", 71).put("callback_url", "")
      .put("enable_network", false).put("redirect_stderr_to_stdout", false).put("number_of_runs", 1)
      .put("unknown", "ignored");
    assertThat(requests.parse(accepted, false).submission().settings().getInteger("number_of_runs")).isEqualTo(1);
  }

  @Test
  void compilerOptionsAreWordsForCompiledLanguagesOnly() {
    Judge0Request.Parsed c = requests.parse(new JsonObject().put("language_id", 50).put("source_code", "int main(){}")
      .put("compiler_options", " -DVALUE=42  -O2 "), false);
    assertThat(c.compilerOptions()).containsExactly("-DVALUE=42", "-O2");
    assertThat(c.submission().settings().getString("compiler_options")).isEqualTo("-DVALUE=42 -O2");
    assertThat(requests.parse(new JsonObject().put("language_id", 50).put("source_code", "x")
      .put("compiler_options", ""), false).compilerOptions()).isEmpty();
    // Judge0's answer for a language without a compile step
    assertThatThrownBy(() -> requests.parse(new JsonObject().put("language_id", 71).put("source_code", "x")
      .put("compiler_options", "-O2"), false))
      .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors()).isEqualTo(new JsonObject()
        .put("compiler_options", new JsonArray().add("setting compiler options is only allowed for compiled languages"))));
    for (String attack : List.of("-O2; rm -rf /", "$(id)", "`id`", "-O2\nid", "x".repeat(1 << 20))) {
      assertThatThrownBy(() -> requests.parse(new JsonObject().put("language_id", 50).put("source_code", "x")
        .put("compiler_options", attack), false))
        .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors().fieldNames())
          .containsExactly("compiler_options"));
    }
  }

  @Test
  void aCallbackUrlIsCheckedAndItsRefusalNamedBesideTheOtherFields() {
    List<String> checked = new java.util.ArrayList<>();
    Judge0Request.Parsed parsed = requests.parse(new JsonObject().put("language_id", 71).put("source_code", "x")
      .put("callback_url", " https://hooks.example.com/j0 "), false, checked::add);
    assertThat(checked).containsExactly("https://hooks.example.com/j0");
    assertThat(parsed.callbackUrl()).isEqualTo("https://hooks.example.com/j0");
    assertThat(parsed.submission().settings().getString("callback_url")).isEqualTo("https://hooks.example.com/j0");
    assertThatThrownBy(() -> requests.parse(new JsonObject().put("language_id", 150000).put("source_code", "x")
      .put("callback_url", "http://169.254.169.254/"), false, url -> {
        throw new io.execgate.error.GatewayException(io.execgate.error.ErrorCode.CALLBACK_NOT_ALLOWED,
          "callback_url host 169.254.169.254 is not allowed", "callback_url");
      }))
      .isInstanceOfSatisfying(Judge0Request.Invalid.class, e -> assertThat(e.errors()).isEqualTo(new JsonObject()
        .put("language_id", new JsonArray().add("language with id 150000 doesn't exist"))
        .put("callback_url", new JsonArray().add("callback_url host 169.254.169.254 is not allowed"))));
    assertThat(requests.parse(new JsonObject().put("language_id", 71).put("source_code", "x")
      .put("callback_url", " "), false, url -> {
        throw new AssertionError("a blank callback_url is none");
      }).callbackUrl()).isNull();
  }

  @Test
  void theCallbackBodyIsWhatJudge0PutsBase64WithItsDefaultFields() {
    Judge0Submission expecting42 = requests.parse(new JsonObject().put("language_id", 50).put("source_code", "x")
      .put("expected_output", "42"), false).submission();
    JsonObject body = Judge0CallbackBody.body(result(ExecutionStatus.SUCCEEDED, 0, null), expecting42).toJsonObject();
    assertThat(body.fieldNames()).containsExactlyElementsOf(Judge0Output.DEFAULT_FIELDS);
    assertThat(body.getString("token")).isEqualTo("t-1");
    assertThat(body.getJsonObject("status")).isEqualTo(new JsonObject().put("id", 3).put("description", "Accepted"));
    assertThat(Base64.getMimeDecoder().decode(body.getString("stdout"))).isEqualTo("42\n".getBytes(StandardCharsets.UTF_8));
    assertThat(body.getString("time")).isEqualTo("0.040");
    assertThat(body.getInteger("memory")).isEqualTo(2048);
    Judge0Submission expecting7 = requests.parse(new JsonObject().put("language_id", 50).put("source_code", "x")
      .put("expected_output", "7"), false).submission();
    assertThat(Judge0CallbackBody.body(result(ExecutionStatus.SUCCEEDED, 0, null), expecting7).toJsonObject()
      .getJsonObject("status").getInteger("id")).isEqualTo(4);
    // an execution the Judge0 layer kept nothing of is still rendered
    assertThat(Judge0CallbackBody.body(result(ExecutionStatus.SUCCEEDED, 0, null), null).toJsonObject()
      .getJsonObject("status").getInteger("id")).isEqualTo(3);
  }

  @Test
  void onlySmallTextsAreKeptToBeEchoedBack() {
    Judge0Submission small = requests.parse(new JsonObject().put("language_id", 71).put("source_code", "print(1)")
      .put("stdin", "x"), false).submission();
    assertThat(small.sourceCode()).isEqualTo("print(1)");
    assertThat(small.stdin()).isEqualTo("x");
    Judge0Submission large = requests.parse(new JsonObject().put("language_id", 71)
      .put("source_code", "#".repeat(Judge0Request.ECHO_CHARS)).put("expected_output", "1"), false).submission();
    assertThat(large.sourceCode()).isNull();
    assertThat(large.expectedOutput()).isNull();
    assertThat(large.expectedDigest()).isEqualTo(Judge0Output.digest("1"));
    assertThat(Judge0Submission.fromJson(large.toJson())).isEqualTo(large);
  }

  @Test
  void aSourceOverTheScriptCapIs413() {
    JsonObject huge = new JsonObject().put("language_id", 71)
      .put("source_code", "#".repeat(options.getHttp().getMaxScriptBytes() + 1));
    assertThatThrownBy(() -> requests.parse(huge, false))
      .isInstanceOfSatisfying(io.execgate.error.GatewayException.class, e -> {
        assertThat(e.code().httpStatus()).isEqualTo(413);
        assertThat(e.field()).isEqualTo("source_code");
      });
  }

  @Test
  void expectedOutputIsComparedJudge0sWay() {
    assertThat(Judge0Output.normalize("a  \nb\t\n\n\n")).isEqualTo("a\nb");
    assertThat(Judge0Output.normalize("\na\r\n")).isEqualTo("\na");
    assertThat(Judge0Output.digest("1 2\n")).isEqualTo(Judge0Output.digest("1 2"));
    assertThat(Judge0Output.digest("1 2\n")).isNotEqualTo(Judge0Output.digest("1  2"));
    Judge0Submission wants = new Judge0Submission(71, Judge0Output.digest("42"), null, null, null, new JsonObject());
    assertThat(Judge0Output.render(result(ExecutionStatus.SUCCEEDED, 0, null, "42 \n\n", null), wants, 71, "Python",
      false, List.of("status_id")).getInteger("status_id")).isEqualTo(3);
    assertThat(Judge0Output.render(result(ExecutionStatus.SUCCEEDED, 0, null, "41\n", null), wants, 71, "Python",
      false, List.of("status_id")).getInteger("status_id")).isEqualTo(4);
  }

  @Test
  void languagesComeFromTheRuntimesWithJudge0CeIdsByDefault() {
    JsonArray list = languages.list();
    assertThat(list.stream().map(o -> ((JsonObject) o).getInteger("id")).toList())
      .containsExactlyInAnyOrder(46, 50, 54, 63, 71);
    assertThat(languages.describe(71)).isEqualTo(new JsonObject().put("id", 71).put("name", "Python (3.11.2)")
      .put("is_archived", false).put("source_file", "main.py").put("compile_cmd", null)
      .put("run_cmd", "python3 -u main.py"));
    assertThat(languages.describe(50).getString("name")).isEqualTo("C (GCC 12.2.0)");
    assertThat(languages.describe(1)).isNull();
    RuntimeSpec own = new RuntimeSpec("sh", List.of(), "1.35.0", "img", "main.sh", null, "sh {file}", 10_000, false,
      null, 1000);
    assertThat(new Judge0Languages(List.of(own)).describe(1000).getString("name")).isEqualTo("sh (1.35.0)");
    assertThat(RuntimeSpec.fromJson(own.toJson())).isEqualTo(own);
  }

  @Test
  void gatewayRefusalsNameTheJudge0Field() {
    assertThat(Judge0Errors.judge0Field("script")).isEqualTo("source_code");
    assertThat(Judge0Errors.judge0Field("files[0].content")).isEqualTo("source_code");
    assertThat(Judge0Errors.judge0Field("args[3]")).isEqualTo("command_line_arguments");
    assertThat(Judge0Errors.judge0Field("stdin")).isEqualTo("stdin");
    assertThat(Judge0Errors.judge0Field("language")).isEqualTo("language_id");
    assertThat(Judge0Api.isJudge0("/judge0/submissions", false)).isTrue();
    assertThat(Judge0Api.isJudge0("/submissions/abc", false)).isFalse();
    assertThat(Judge0Api.isJudge0("/submissions/abc", true)).isTrue();
    assertThat(Judge0Api.isJudge0("/submissionsx", true)).isFalse();
    assertThat(Judge0Api.isJudge0("/v1/executions", true)).isFalse();
  }
}
