package io.execgate.request;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.RequestLimits;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

  /** A job as a member of the cluster could send it: built from a valid one, any field replaced. */
  private ExecutionJob forged(ResourceLimits limits, String image, RuntimeSpec runtime) {
    ExecutionJob job = resolver.resolve(ExecutionRequest.script("echo hi"), false);
    return new ExecutionJob(job.id(), job.submittedAt(), runtime == null ? job.runtime() : runtime,
      image == null ? job.image() : image, job.files(), job.stdin(), job.args(), job.env(),
      limits == null ? job.limits() : limits, job.interactive());
  }

  private GatewayException recheckFailure(ExecutionJob job) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> resolver.recheck(job, new ArrayList<>()));
    assertThat(e).as("%s should be refused", job).isNotNull();
    return e;
  }

  @Test
  void aWorkerTakesAGatewaysJobUnchanged() {
    ExecutionJob job = resolver.resolve(ExecutionRequest.script("print(1)").withLanguage("python")
      .withLimits(RequestLimits.defaults().withMemoryMb(64).withCompileTimeoutMs(2_000)), false);
    List<String> notes = new ArrayList<>();
    assertThat(resolver.recheck(job, notes)).isEqualTo(job);
    assertThat(notes).isEmpty();
  }

  @Test
  void compilerOptionsAreKeptByAWorkerAndCheckedAgain() {
    ExecutionJob c = resolver.resolve(ExecutionRequest.script("int main(){return 0;}").withLanguage("c"), false)
      .withCompilerOptions(List.of("-DVALUE=42", "-O2"));
    assertThat(resolver.recheck(c, new ArrayList<>())).isEqualTo(c);
    assertThat(resolver.recheck(c, new ArrayList<>()).compilerOptions()).containsExactly("-DVALUE=42", "-O2");
    // forged on the way: code in an option, or options for a runtime that compiles nothing
    assertThat(recheckFailure(c.withCompilerOptions(List.of("-O2", "$(id)"))).field()).isEqualTo("compilerOptions");
    assertThat(recheckFailure(c.withCompilerOptions(List.of("-O2;id"))).field()).isEqualTo("compilerOptions");
    ExecutionJob python = resolver.resolve(ExecutionRequest.script("print(1)").withLanguage("python"), false);
    assertThat(recheckFailure(python.withCompilerOptions(List.of("-O2"))).getMessage())
      .contains("only allowed for compiled languages");
    // and they survive the trip between nodes
    assertThat(ExecutionJob.fromJson(c.toJson())).isEqualTo(c);
    assertThat(ExecutionJob.fromJson(python.toJson()).compilerOptions()).isEmpty();
  }

  @Test
  void limitsThatWouldMeanUnlimitedAreRefused() {
    ResourceLimits d = options.getExecutor().getLimits();
    assertThat(recheckFailure(forged(new ResourceLimits(d.timeoutMs(), 0, d.cpus(), d.pids(), d.outputBytes()), null,
      null)).field()).isEqualTo("limits.memoryMb");
    GatewayException pids = recheckFailure(forged(new ResourceLimits(d.timeoutMs(), d.memoryMb(), d.cpus(), -1,
      d.outputBytes()), null, null));
    assertThat(pids.field()).isEqualTo("limits.pids");
    assertThat(pids.getMessage()).contains("unlimited");
    assertThat(recheckFailure(forged(new ResourceLimits(0, d.memoryMb(), d.cpus(), d.pids(), d.outputBytes()), null,
      null)).field()).isEqualTo("limits.timeoutMs");
    assertThat(recheckFailure(forged(new ResourceLimits(d.timeoutMs(), d.memoryMb(), Double.NaN, d.pids(),
      d.outputBytes()), null, null)).field()).isEqualTo("limits.cpus");
    assertThat(recheckFailure(forged(new ResourceLimits(d.timeoutMs(), d.memoryMb(), d.cpus(), d.pids(), -1), null,
      null)).field()).isEqualTo("limits.outputBytes");
  }

  @Test
  void limitsAboveTheWorkersMaximaAreClampedAndSaid() {
    ResourceLimits max = options.getExecutor().getMaxLimits();
    List<String> notes = new ArrayList<>();
    ExecutionJob job = resolver.recheck(forged(new ResourceLimits(Long.MAX_VALUE, 1 << 20, 64, 1 << 20,
      Long.MAX_VALUE, Long.MAX_VALUE), null, null), notes);
    assertThat(job.limits()).isEqualTo(max);
    assertThat(notes).hasSize(6).anySatisfy(n -> assertThat(n).isEqualTo("limits.memoryMb 1048576 clamped to "
      + max.memoryMb()));
  }

  @Test
  void theImagePolicyAndTheWorkersOwnRuntimesHold() {
    assertThat(recheckFailure(forged(null, "evil.io/pwn:1", null)).code()).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    RuntimeSpec sh = options.findRuntime("sh");
    assertThat(recheckFailure(forged(null, null, new RuntimeSpec("sh", List.of(), "9.9", sh.image(), "main.sh", null,
      "sh {file}", 1000, false))).code()).isEqualTo(ErrorCode.UNSUPPORTED_LANGUAGE);
    // the job's commands and /tmp mode are not taken: the worker's own runtime of that name and version is
    ExecutionJob job = resolver.recheck(forged(null, null, new RuntimeSpec(sh.name(), sh.aliases(), sh.version(),
      sh.image(), "main.sh", "anything", "rm -rf / {file}", 1000, true)), new ArrayList<>());
    assertThat(job.runtime().run()).isEqualTo(sh.run());
    assertThat(job.runtime().compile()).isNull();
    assertThat(job.runtime().tmpfsExec()).isFalse();
    assertThat(job.runtime().compileTimeoutMs()).isEqualTo(1000);
  }

  @Test
  void filesIdsAndCapsHoldAsForASubmit() {
    ExecutionJob valid = forged(null, null, null);
    assertThat(recheckFailure(new ExecutionJob("../x", 0, valid.runtime(), valid.image(), valid.files(), null,
      List.of(), Map.of(), valid.limits(), false)).field()).isEqualTo("id");
    assertThat(recheckFailure(new ExecutionJob(valid.id(), 0, valid.runtime(), valid.image(),
      List.of(SourceFile.utf8("../etc/passwd", "x")), null, List.of(), Map.of(), valid.limits(), false)).field())
      .isEqualTo("files[0].name");
    assertThat(recheckFailure(new ExecutionJob(valid.id(), 0, valid.runtime(), valid.image(), List.of(), null,
      List.of(), Map.of(), valid.limits(), false)).field()).isEqualTo("files");
    assertThat(recheckFailure(new ExecutionJob(valid.id(), 0, valid.runtime(), valid.image(), valid.files(),
      new byte[options.getHttp().getMaxStdinBytes() + 1], List.of(), Map.of(), valid.limits(), false)).code())
      .isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(recheckFailure(new ExecutionJob(valid.id(), 0, valid.runtime(), valid.image(), valid.files(), null,
      List.of(), Map.of("BAD NAME", "x"), valid.limits(), false)).field()).isEqualTo("env.BAD NAME");
  }
}
