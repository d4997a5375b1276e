package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.RequestLimits;
import io.execgate.model.SourceFile;
import io.execgate.request.RequestResolver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ExecutionRequestParserTest {

  private final GatewayOptions options = new GatewayOptions();
  private final ExecutionRequestParser parser = new ExecutionRequestParser(options);

  private ExecutionJob parse(String json) {
    return parser.parse(Buffer.buffer(json), false).job();
  }

  private GatewayException failure(String json) {
    return catchThrowableOfType(GatewayException.class, () -> parse(json));
  }

  @Test
  void aScriptBecomesTheRuntimesEntryFileWithDefaultLimits() {
    ExecutionJob job = parse("{\"script\":\"echo hi\",\"args\":[\"a\"],\"env\":{\"K\":\"v\"},\"stdin\":\"x\"}");
    assertThat(job.files()).hasSize(1);
    assertThat(job.files().get(0).name()).isEqualTo("main.sh");
    assertThat(new String(job.files().get(0).content(), StandardCharsets.UTF_8)).isEqualTo("echo hi");
    assertThat(job.image()).isEqualTo(options.getImages().getBaseImage());
    assertThat(job.limits()).isEqualTo(options.getExecutor().getLimits());
    assertThat(job.args()).containsExactly("a");
    assertThat(job.env()).containsEntry("K", "v");
    assertThat(job.stdin()).isEqualTo(new byte[]{'x'});
    assertThat(job.id()).matches("[0-9a-f-]{36}");
  }

  @Test
  void filesAreDecodedFromUtf8AndBase64() {
    ExecutionJob job = parse("{\"files\":[{\"name\":\"main.sh\",\"content\":\"sh lib/x\"},"
      + "{\"name\":\"lib/x\",\"content\":\"AAEC\",\"encoding\":\"base64\"}]}");
    assertThat(job.files().get(1).content()).containsExactly(0, 1, 2);
  }

  @Test
  void requestedLimitsWithinTheMaximaAreKept() {
    ExecutionJob job = parse("{\"script\":\"x\",\"limits\":{\"timeoutMs\":500,\"memoryMb\":64,\"cpus\":0.5,"
      + "\"pids\":32,\"outputBytes\":100}}");
    assertThat(job.limits().timeoutMs()).isEqualTo(500);
    assertThat(job.limits().memoryMb()).isEqualTo(64);
    assertThat(job.limits().cpus()).isEqualTo(0.5);
    assertThat(job.limits().pids()).isEqualTo(32);
    assertThat(job.limits().outputBytes()).isEqualTo(100);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"script\":\"x\",\"limits\":{\"timeoutMs\":60001}}        | limit_exceeded | limits.timeoutMs",
    "{\"script\":\"x\",\"limits\":{\"memoryMb\":99999}}         | limit_exceeded | limits.memoryMb",
    "{\"script\":\"x\",\"limits\":{\"cpus\":64}}                | limit_exceeded | limits.cpus",
    "{\"script\":\"x\",\"limits\":{\"pids\":100000}}            | limit_exceeded | limits.pids",
    "{\"script\":\"x\",\"limits\":{\"outputBytes\":1e12}}       | limit_exceeded | limits.outputBytes",
    "{\"script\":\"x\",\"limits\":{\"timeoutMs\":\"5\"}}        | invalid_request | limits.timeoutMs",
    "{\"script\":\"x\",\"limits\":{\"timeoutMs\":1.5}}          | invalid_request | limits.timeoutMs",
    "{\"script\":\"x\",\"limits\":{\"timeoutMs\":0}}            | invalid_request | limits.timeoutMs",
    "{\"script\":\"x\",\"limits\":{\"timeoutMs\":123456789012345678901234567890}} | invalid_request | limits.timeoutMs",
    "{\"script\":\"x\",\"limits\":{\"cpu\":1}}                  | invalid_request | limits.cpu",
    "{\"script\":\"x\",\"limits\":[]}                           | invalid_request | limits",
    "{\"script\":1}                                             | invalid_request | script",
    "{\"script\":\"x\",\"files\":[]}                            | invalid_request | script",
    "{}                                                         | invalid_request | script",
    "{\"files\":[]}                                             | invalid_request | files",
    "{\"files\":[{\"name\":\"../x\",\"content\":\"\"}]}         | invalid_request | files[0].name",
    "{\"files\":[{\"name\":\"/etc/x\",\"content\":\"\"}]}       | invalid_request | files[0].name",
    "{\"files\":[{\"name\":\"a//b\",\"content\":\"\"}]}        | invalid_request | files[0].name",
    "{\"files\":[{\"name\":\"-rf\",\"content\":\"\"}]}          | invalid_request | files[0].name",
    "{\"files\":[{\"content\":\"\"},{\"content\":\"\"}]}        | invalid_request | files[1].name",
    "{\"files\":[{\"name\":\"a\",\"content\":\"!\",\"encoding\":\"base64\"}]} | invalid_request | files[0].content",
    "{\"files\":[{\"name\":\"a\",\"content\":\"\",\"encoding\":\"gzip\"}]}     | invalid_request | files[0].encoding",
    "{\"files\":[{\"name\":\"a\",\"content\":\"\",\"mode\":1}]} | invalid_request | files[0].mode",
    "{\"files\":[{\"name\":\"a\",\"content\":\"\"},{\"name\":\"a\",\"content\":\"\"}]} | invalid_request | files[1].name",
    "{\"files\":[\"a\"]}                                        | invalid_request | files[0]",
    "{\"script\":\"x\",\"args\":[1]}                            | invalid_request | args[0]",
    "{\"script\":\"x\",\"args\":\"a\"}                          | invalid_request | args",
    "{\"script\":\"x\",\"env\":{\"1A\":\"v\"}}                  | invalid_request | env.1A",
    "{\"script\":\"x\",\"env\":{\"A\":1}}                       | invalid_request | env.A",
    "{\"script\":\"x\",\"stdin\":[]}                            | invalid_request | stdin",
    "{\"script\":\"x\",\"wait\":\"yes\"}                        | invalid_request | wait",
    "{\"script\":\"x\",\"timeout\":5}                           | invalid_request | timeout",
    "{\"script\":\"x\",\"language\":\"cobol\"}                  | unsupported_language | language",
    "{\"script\":\"x\",\"image\":\"evil/image:1\"}              | image_not_allowed | image",
    "{\"script\":\"x\",\"image\":\"Not An Image\"}              | invalid_request | image",
  })
  void refusesWithTheCodeAndTheField(String json, String code, String field) {
    GatewayException e = failure(json);
    assertThat(e).as(json).isNotNull();
    assertThat(e.code().id()).as(e.getMessage()).isEqualTo(code);
    assertThat(e.field()).isEqualTo(field);
  }

  @Test
  void refusesAScriptOverItsCap() {
    String script = "x".repeat(options.getHttp().getMaxScriptBytes() + 1);
    GatewayException e = failure(new JsonObject().put("script", script).encode());
    assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(e.field()).isEqualTo("script");
  }

  @Test
  void acceptsAScriptOfExactlyTheCap() {
    String script = "x".repeat(options.getHttp().getMaxScriptBytes());
    assertThat(parse(new JsonObject().put("script", script).encode()).files().get(0).content())
      .hasSize(options.getHttp().getMaxScriptBytes());
  }

  @Test
  void refusesMalformedBodies() {
    assertThat(catchThrowableOfType(GatewayException.class, () -> parser.parse(Buffer.buffer("{\"script\":"), false))
      .code()).isEqualTo(ErrorCode.INVALID_JSON);
    assertThat(catchThrowableOfType(GatewayException.class, () -> parser.parse(Buffer.buffer("[1]"), false))
      .code()).isEqualTo(ErrorCode.INVALID_JSON);
    assertThat(catchThrowableOfType(GatewayException.class, () -> parser.parse(Buffer.buffer(""), false))
      .code()).isEqualTo(ErrorCode.INVALID_JSON);
    Buffer invalidUtf8 = Buffer.buffer("{\"script\":\"").appendBytes(new byte[]{(byte) 0xc3, 0x28}).appendString("\"}");
    assertThat(catchThrowableOfType(GatewayException.class, () -> parser.parse(invalidUtf8, false)).getMessage())
      .contains("UTF-8");
    // JSON is UTF-8: UTF-16 is not detected and taken
    Buffer utf16 = Buffer.buffer("{\"script\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
    assertThat(catchThrowableOfType(GatewayException.class, () -> parser.parse(utf16, false)).code())
      .isEqualTo(ErrorCode.INVALID_JSON);
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertThat(catchThrowableOfType(GatewayException.class,
      () -> parser.parse(Buffer.buffer("{\"script\":\"x\",\"args\":" + deep + "}"), false)).code())
      .isEqualTo(ErrorCode.INVALID_JSON);
  }

  @Test
  void refusesABodyOfTooManyValuesBeforeBuildingIt() {
    // 1 MiB of tiny values would be half a million objects: refused at the token limit
    String many = "{\"script\":\"x\",\"args\":[" + "0,".repeat(512 * 1024) + "0]}";
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> parser.parse(Buffer.buffer(many), false));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
    assertThat(e.getMessage()).contains(String.valueOf(ExecutionRequestParser.MAX_TOKENS));
    // a submit at every count limit stays well within it
    JsonObject big = new JsonObject().put("script", "x");
    io.vertx.core.json.JsonArray args = new io.vertx.core.json.JsonArray();
    JsonObject env = new JsonObject();
    for (int i = 0; i < options.getHttp().getMaxArgs(); i++) {
      args.add("a" + i);
    }
    for (int i = 0; i < options.getHttp().getMaxEnv(); i++) {
      env.put("K" + i, "v");
    }
    assertThat(parse(big.put("args", args).put("env", env).encode()).args()).hasSize(options.getHttp().getMaxArgs());
  }

  @Test
  void allowsImagesMatchingTheConfiguredGlobs() {
    GatewayOptions opts = new GatewayOptions();
    opts.getImages().addAllow("registry.example:5000/team/*");
    ExecutionRequestParser p = new ExecutionRequestParser(opts);
    assertThat(p.parse(Buffer.buffer("{\"script\":\"x\",\"image\":\"registry.example:5000/team/img:2\"}"), false)
      .job().image()).isEqualTo("registry.example:5000/team/img:2");
    // * stays within one path component
    assertThat(catchThrowableOfType(GatewayException.class,
      () -> p.parse(Buffer.buffer("{\"script\":\"x\",\"image\":\"registry.example:5000/team/sub/img:2\"}"), false))
      .code()).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(catchThrowableOfType(GatewayException.class,
      () -> p.parse(Buffer.buffer("{\"script\":\"x\",\"image\":\"registry.other/team/img:2\"}"), false)).code())
      .isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
  }

  @Test
  void languageAndVersionSelectTheRuntimeAndItsCompileDeadline() {
    ExecutionJob python = parse("{\"script\":\"print(1)\",\"language\":\"py\",\"version\":\"3.x\"}");
    assertThat(python.runtime().name()).isEqualTo("python");
    assertThat(python.image()).isEqualTo("execgate/python-scientific:offline");
    assertThat(python.files().get(0).name()).isEqualTo("main.py");
    ExecutionJob c = parse("{\"script\":\"int main;\",\"language\":\"c\",\"limits\":{\"compileTimeoutMs\":2000}}");
    assertThat(c.runtime().compileTimeoutMs()).isEqualTo(2000);
    assertThat(c.runtime().compile()).startsWith("cc ");
    assertThat(parse("{\"script\":\"int main;\",\"language\":\"c\"}").runtime().compileTimeoutMs()).isEqualTo(10_000);
    GatewayException tooLong = failure("{\"script\":\"x\",\"language\":\"c\",\"limits\":{\"compileTimeoutMs\":70000}}");
    assertThat(tooLong.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
    assertThat(tooLong.field()).isEqualTo("limits.compileTimeoutMs");
    GatewayException version = failure("{\"script\":\"x\",\"language\":\"python\",\"version\":\"2\"}");
    assertThat(version.code()).isEqualTo(ErrorCode.UNSUPPORTED_LANGUAGE);
    assertThat(version.field()).isEqualTo("version");
    assertThat(failure("{\"script\":\"x\",\"language\":\"python\",\"version\":3}").field()).isEqualTo("version");
  }

  @Test
  void theJsonOfATypedRequestParsesToTheJobTheTypedRequestResolvesTo() {
    ExecutionRequest typed = ExecutionRequest.files(List.of(SourceFile.utf8("main.py", "import lib"),
        new SourceFile("lib.py", new byte[]{(byte) 0xff, 0})))
      .withLanguage("python").withVersion("3.x").withArgs(List.of("a")).withStdin("in").withEnv(Map.of("K", "v"))
      .withLimits(RequestLimits.defaults().withTimeoutMs(500).withCpus(0.5));
    ExecutionJob fromJson = parser.parse(typed.toJson(), false).job();
    ExecutionJob fromType = new RequestResolver(options).resolve(typed, false);
    assertThat(fromJson.toJson().put("id", "").put("submittedAt", 0))
      .isEqualTo(fromType.toJson().put("id", "").put("submittedAt", 0));
  }
}
