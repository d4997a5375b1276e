package io.execgate.client;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.RequestLimits;
import io.execgate.model.SourceFile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Typed requests obey the rules of JSON submits: the same codes naming the same fields.
 */
class RequestResolverTest {

  private final GatewayOptions options = new GatewayOptions();
  private final RequestResolver resolver = new RequestResolver(options);

  private GatewayException failure(Supplier<ExecutionRequest> request) {
    return catchThrowableOfType(GatewayException.class, () -> resolver.resolve(request.get(), false));
  }

  private void assertRefused(ExecutionRequest request, ErrorCode code, String field) {
    GatewayException e = failure(() -> request);
    assertThat(e).as(request.toString()).isNotNull();
    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
    assertThat(e.field()).isEqualTo(field);
  }

  @Test
  void aTypedRequestResolvesLikeItsJson() {
    ExecutionJob job = resolver.resolve(ExecutionRequest.script("print(input())")
      .withLanguage("py")
      .withArgs(List.of("a", "b"))
      .withStdin("x\n")
      .withEnv(Map.of("K", "v"))
      .withLimits(RequestLimits.defaults().withTimeoutMs(5_000).withMemoryMb(64).withCompileTimeoutMs(2_000)), false);
    assertThat(job.runtime().name()).isEqualTo("python");
    assertThat(job.files()).containsExactly(SourceFile.utf8("main.py", "print(input())"));
    assertThat(job.args()).containsExactly("a", "b");
    assertThat(new String(job.stdin(), StandardCharsets.UTF_8)).isEqualTo("x\n");
    assertThat(job.env()).containsExactly(Map.entry("K", "v"));
    assertThat(job.limits().timeoutMs()).isEqualTo(5_000);
    assertThat(job.limits().memoryMb()).isEqualTo(64);
    assertThat(job.limits().cpus()).isEqualTo(options.getExecutor().getLimits().cpus());
    assertThat(job.runtime().compileTimeoutMs()).isEqualTo(2_000);
    assertThat(job.interactive()).isFalse();
  }

  @Test
  void refusesWhatJsonSubmitsCannotDoEither() {
    ExecutionRequest x = ExecutionRequest.script("x");
    assertRefused(x.withLimits(RequestLimits.defaults().withTimeoutMs(60_001)), ErrorCode.LIMIT_EXCEEDED,
      "limits.timeoutMs");
    assertRefused(x.withLimits(RequestLimits.defaults().withMemoryMb(99_999)), ErrorCode.LIMIT_EXCEEDED,
      "limits.memoryMb");
    assertRefused(x.withLimits(RequestLimits.defaults().withCpus(64)), ErrorCode.LIMIT_EXCEEDED, "limits.cpus");
    assertRefused(x.withLimits(RequestLimits.defaults().withCpus(Double.NaN)), ErrorCode.INVALID_REQUEST,
      "limits.cpus");
    assertRefused(x.withLimits(RequestLimits.defaults().withPids(2)), ErrorCode.INVALID_REQUEST, "limits.pids");
    assertRefused(x.withLimits(RequestLimits.defaults().withTimeoutMs(0)), ErrorCode.INVALID_REQUEST,
      "limits.timeoutMs");
    assertRefused(ExecutionRequest.files(List.of()), ErrorCode.INVALID_REQUEST, "files");
    assertRefused(new ExecutionRequest(null, null, null, null, null, null, null, null, null),
      ErrorCode.INVALID_REQUEST, "script");
    assertRefused(new ExecutionRequest("x", List.of(SourceFile.utf8("a", "")), null, null, null, null, null, null, null),
      ErrorCode.INVALID_REQUEST, "script");
    assertRefused(ExecutionRequest.files(List.of(SourceFile.utf8("../x", ""))), ErrorCode.INVALID_REQUEST,
      "files[0].name");
    assertRefused(ExecutionRequest.files(List.of(SourceFile.utf8("a", ""), SourceFile.utf8("a", ""))),
      ErrorCode.INVALID_REQUEST, "files[1].name");
    assertRefused(x.withArgs(List.of("ok", "nul\0")), ErrorCode.INVALID_REQUEST, "args[1]");
    assertRefused(x.withEnv(Map.of("1A", "v")), ErrorCode.INVALID_REQUEST, "env.1A");
    assertRefused(x.withLanguage("cobol"), ErrorCode.UNSUPPORTED_LANGUAGE, "language");
    assertRefused(x.withLanguage("python").withVersion("2.x"), ErrorCode.UNSUPPORTED_LANGUAGE, "version");
    assertRefused(x.withImage("evil/image:1"), ErrorCode.IMAGE_NOT_ALLOWED, "image");
    assertRefused(ExecutionRequest.script("x".repeat(options.getHttp().getMaxScriptBytes() + 1)),
      ErrorCode.PAYLOAD_TOO_LARGE, "script");
    assertRefused(x.withStdin("x".repeat(options.getHttp().getMaxStdinBytes() + 1)), ErrorCode.PAYLOAD_TOO_LARGE,
      "stdin");
  }

  @Test
  void theJsonOfARequestDescribesIt() {
    ExecutionRequest request = ExecutionRequest.files(List.of(SourceFile.utf8("main.sh", "sh lib/x"),
        new SourceFile("lib/x", new byte[]{0, 1, 2})))
      .withArgs(List.of("a"))
      .withLimits(RequestLimits.defaults().withOutputBytes(100));
    assertThat(request.toJson().encode()).isEqualTo("{\"files\":[{\"name\":\"main.sh\",\"content\":\"c2ggbGliL3g=\","
      + "\"encoding\":\"base64\"},{\"name\":\"lib/x\",\"content\":\"AAEC\",\"encoding\":\"base64\"}],\"args\":[\"a\"],"
      + "\"env\":{},\"limits\":{\"outputBytes\":100}}");
  }
}
