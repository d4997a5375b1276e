package io.execgate.request;

import io.execgate.GatewayOptions;
import io.execgate.config.HttpOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.image.ImagePolicy;
import io.execgate.model.CompilerOptions;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.RequestLimits;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.execgate.model.TestSuite;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns an {@link ExecutionRequest} into a validated {@link ExecutionJob} by the gateway's rules,
 * or fails with the error that names the field at fault: 400 for invalid values, 403 for an image
 * the policy refuses, 413 for content over a size cap, 422 for a limit above the operator's maximum.
 * Every way in (JSON over HTTP, the Piston API, {@link io.execgate.ExecutionClient}) ends here.
 */
public final class RequestResolver {

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final GatewayOptions options;
  private final HttpOptions caps;
  private final RuntimeCatalog runtimes;
  private final ImagePolicy policy;
  private final TestRules testRules;

  public RequestResolver(GatewayOptions options) {
    this.options = options;
    this.caps = options.getHttp();
    this.testRules = new TestRules(caps, options.getExecutor().getMaxLimits().timeoutMs());
    this.runtimes = new RuntimeCatalog(options);
    this.policy = new ImagePolicy(options.resolvedRuntimes(), options.getImages());
  }

  /**
   * @return the runtime {@code language} and {@code version} select ({@code null}: the defaults)
   */
  public RuntimeSpec runtime(String language, String version) {
    return runtimes.select(language == null ? options.getDefaultRuntime() : language, version);
  }

  /**
   * @param interactive whether stdin arrives later, over the execution's control address
   * @return the job, with a new execution id
   */
  public ExecutionJob resolve(ExecutionRequest request, boolean interactive) {
    RuntimeSpec runtime = runtime(request.language(), request.version());
    String image = request.image() == null ? runtime.image() : policy.check(request.image());
    List<SourceFile> files = files(request, runtime);
    byte[] stdin = stdin(request.stdin());
    checkTests(request, interactive);
    long payload = files.stream().mapToLong(f -> f.content().length).sum() + (stdin == null ? 0 : stdin.length)
      + TestRules.stdinBytes(request.tests());
    long tmpfs = (long) options.getExecutor().getTmpfsMb() << 20;
    if (payload > tmpfs / 2) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "files and stdin take " + payload
        + " bytes; at most half of the sandbox's /tmp (" + tmpfs / 2 + " bytes) may be used", "files");
    }
    checkArgs(request.args());
    checkEnv(request.env());
    runtime = compileTimeout(request.limits(), runtime);
    ResourceLimits limits = limits(request.limits());
    return new ExecutionJob(UUID.randomUUID().toString(), System.currentTimeMillis(),
      image.equals(runtime.image()) ? runtime : runtime.withImage(image), image, files, stdin, request.args(),
      request.env(), limits, interactive, null, request.tests());
  }

  /**
   * A judged run takes its input and arguments from each test, and has no client on its stdin.
   */
  private void checkTests(ExecutionRequest request, boolean interactive) {
    TestSuite tests = request.tests();
    if (tests == null) {
      return;
    }
    if (interactive) {
      throw GatewayException.invalid("tests", "tests cannot be combined with interactive stdin (/v1/ws): submit them "
        + "with POST /v1/executions and watch its stream");
    }
    if (request.stdin() != null) {
      throw GatewayException.invalid("stdin", "with tests, each test gives its own stdin (tests[i].stdin)");
    }
    if (!request.args().isEmpty()) {
      throw GatewayException.invalid("args", "with tests, each test gives its own args (tests[i].args)");
    }
    testRules.check(tests);
  }

  /**
   * Checks a job that was built elsewhere, as a cluster worker does before it runs anything it is
   * sent: whoever is on the cluster's event bus can send one, and a worker trusts no gateway's
   * checks. The rules are this node's own, the same as {@link #resolve}'s, with two differences
   * that a gateway's different configuration may need:
   * <ul>
   *   <li>a limit above this node's maximum is clamped to it (a gateway whose operator allows more
   *   still gets its executions run, within this node's bounds), and each clamp is told to {@code notes};</li>
   *   <li>a limit below the least a gateway accepts ({@code memoryMb} 0, {@code pids} -1, a zero
   *   deadline or output cap, a CPU quota that is not a number) is refused: no gateway sends one, and
   *   to the engine 0 or -1 would mean unlimited.</li>
   * </ul>
   * The runtime is this node's own of the job's name and version (its commands, entry file and
   * {@code /tmp} mode; never the job's), the image must be that runtime's or one the image policy
   * allows, and files, stdin, args and env keep the same caps.
   *
   * @param notes receives one line per value clamped
   * @return the job to run
   * @throws GatewayException naming the first field that breaks a rule
   */
  public ExecutionJob recheck(ExecutionJob job, List<String> notes) {
    if (job.id() == null || !ID.matcher(job.id()).matches()) {
      throw GatewayException.invalid("id", "the execution id must be a UUID, got '" + job.id() + "'");
    }
    RuntimeSpec claimed = job.runtime();
    RuntimeSpec own = claimed == null ? null : runtimes.all().stream()
      .filter(r -> r.name().equals(claimed.name()) && r.version().equals(claimed.version())).findFirst().orElse(null);
    if (own == null) {
      throw new GatewayException(ErrorCode.UNSUPPORTED_LANGUAGE, "this worker has no runtime "
        + (claimed == null ? "(none named)" : claimed.name() + " " + claimed.version()) + "; it has "
        + runtimes.describe(), "language");
    }
    String image = job.image() == null || job.image().equals(own.image()) ? own.image() : policy.check(job.image());
    List<SourceFile> files = job.files();
    if (files.isEmpty()) {
      throw GatewayException.invalid("files", "files must not be empty");
    }
    checkFiles(files, Math.max(caps.getMaxFilesBytes(), caps.getMaxScriptBytes()));
    if (job.stdin() != null && job.stdin().length > caps.getMaxStdinBytes()) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "stdin has " + job.stdin().length
        + " bytes; the maximum is " + caps.getMaxStdinBytes(), "stdin");
    }
    long payload = files.stream().mapToLong(f -> f.content().length).sum() + (job.stdin() == null ? 0 : job.stdin().length);
    long tmpfs = (long) options.getExecutor().getTmpfsMb() << 20;
    if (payload > tmpfs / 2) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "files and stdin take " + payload
        + " bytes; at most half of the sandbox's /tmp (" + tmpfs / 2 + " bytes) may be used", "files");
    }
    checkArgs(job.args());
    checkEnv(job.env());
    ResourceLimits max = options.getExecutor().getMaxLimits();
    long compileMax = Math.max(max.timeoutMs(), own.compileTimeoutMs());
    long compileMs = clamp("compileTimeoutMs", claimed.compileTimeoutMs(), 1, compileMax, notes);
    RuntimeSpec runtime = (image.equals(own.image()) ? own : own.withImage(image));
    runtime = compileMs == runtime.compileTimeoutMs() ? runtime : runtime.withCompileTimeoutMs(compileMs);
    ResourceLimits l = job.limits();
    if (l == null) {
      throw GatewayException.invalid("limits", "limits are required");
    }
    if (Double.isNaN(l.cpus()) || l.cpus() < 0.01) {
      throw GatewayException.invalid("limits.cpus", "limits.cpus must be at least 0.01, got " + l.cpus());
    }
    double cpus = l.cpus();
    if (cpus > max.cpus()) {
      notes.add("limits.cpus " + cpus + " clamped to " + max.cpus());
      cpus = max.cpus();
    }
    ResourceLimits limits = new ResourceLimits(
      clamp("timeoutMs", l.timeoutMs(), 1, max.timeoutMs(), notes),
      (int) clamp("memoryMb", l.memoryMb(), 6, max.memoryMb(), notes),
      cpus,
      (int) clamp("pids", l.pids(), 8, max.pids(), notes),
      clamp("outputBytes", l.outputBytes(), 1, max.outputBytes(), notes),
      clamp("outputFilesBytes", l.outputFilesBytes(), 0, max.outputFilesBytes(), notes));
    if (job.tests() != null) {
      if (job.interactive() || job.stdin() != null || !job.args().isEmpty()) {
        throw GatewayException.invalid("tests", "tests take no interactive stdin, request stdin or request args");
      }
      testRules.check(job.tests());
      payload += TestRules.stdinBytes(job.tests());
      if (payload > tmpfs / 2) {
        throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "files and stdin take " + payload
          + " bytes; at most half of the sandbox's /tmp (" + tmpfs / 2 + " bytes) may be used", "files");
      }
    }
    // options travel as data: checked again here, then quoted word by word into the runtime's own command
    CompilerOptions.check(job.compilerOptions(), "compilerOptions");
    if (!job.compilerOptions().isEmpty() && runtime.compile() == null) {
      throw GatewayException.invalid("compilerOptions", "compiler options are only allowed for compiled languages");
    }
    return new ExecutionJob(job.id(), Math.min(job.submittedAt(), System.currentTimeMillis()), runtime, image, files,
      job.stdin(), job.args(), job.env(), limits, job.interactive(), job.owner(), job.tests(), job.compilerOptions(),
      job.session());
  }

  private static long clamp(String key, long value, long min, long max, List<String> notes) {
    String field = "limits." + key;
    if (value < min) {
      throw GatewayException.invalid(field, field + " must be at least " + min + ", got " + value
        + " (to the engine 0 or -1 would mean unlimited)");
    }
    if (value > max) {
      notes.add(field + " " + value + " clamped to " + max);
      return max;
    }
    return value;
  }

  private List<SourceFile> files(ExecutionRequest request, RuntimeSpec runtime) {
    if (request.script() != null && request.files() != null) {
      throw GatewayException.invalid("script", "give either script or files, not both");
    }
    if (request.script() != null) {
      byte[] bytes = request.script().getBytes(StandardCharsets.UTF_8);
      if (bytes.length > caps.getMaxScriptBytes()) {
        throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "script has " + bytes.length
          + " bytes; the maximum is " + caps.getMaxScriptBytes(), "script");
      }
      return List.of(new SourceFile(runtime.file(), bytes));
    }
    List<SourceFile> files = request.files();
    if (files == null) {
      throw GatewayException.invalid("script", "script or files is required");
    }
    if (files.isEmpty()) {
      throw GatewayException.invalid("files", "files must not be empty");
    }
    checkFiles(files, caps.getMaxFilesBytes());
    return files;
  }

  private void checkFiles(List<SourceFile> files, long maxBytes) {
    if (files.size() > caps.getMaxFiles()) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "at most " + caps.getMaxFiles() + " files are allowed",
        "files");
    }
    Set<String> names = new HashSet<>();
    long total = 0;
    for (int i = 0; i < files.size(); i++) {
      String path = "files[" + i + "]";
      SourceFile file = files.get(i);
      if (file.name() == null || file.content() == null) {
        throw GatewayException.invalid(path, path + " needs a name and a content");
      }
      String problem = FileNames.problem(file.name());
      if (problem != null) {
        throw GatewayException.invalid(path + ".name", path + ".name " + problem);
      }
      if (!names.add(file.name())) {
        throw GatewayException.invalid(path + ".name", "file name " + file.name() + " is used twice");
      }
      total += file.content().length;
      if (total > maxBytes) {
        throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "files take more than " + maxBytes + " bytes", path);
      }
    }
  }

  private byte[] stdin(String stdin) {
    if (stdin == null) {
      return null;
    }
    byte[] bytes = stdin.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > caps.getMaxStdinBytes()) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "stdin has " + bytes.length + " bytes; the maximum is "
        + caps.getMaxStdinBytes(), "stdin");
    }
    return bytes;
  }

  private void checkArgs(List<String> args) {
    if (args.size() > caps.getMaxArgs()) {
      throw GatewayException.invalid("args", "at most " + caps.getMaxArgs() + " args are allowed");
    }
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).indexOf('\0') >= 0) {
        throw GatewayException.invalid("args[" + i + "]", "args[" + i + "] must not contain NUL characters");
      }
    }
  }

  private void checkEnv(Map<String, String> env) {
    if (env.size() > caps.getMaxEnv()) {
      throw GatewayException.invalid("env", "at most " + caps.getMaxEnv() + " env entries are allowed");
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      String path = "env." + e.getKey();
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        throw GatewayException.invalid(path, "env name '" + e.getKey() + "' must match " + ENV_NAME.pattern());
      }
      if (e.getValue().indexOf('\0') >= 0) {
        throw GatewayException.invalid(path, path + " must not contain NUL characters");
      }
    }
  }

  /**
   * {@code limits.compileTimeoutMs}: the compile step's own deadline, by default the runtime's, at
   * most the operator's maximum {@code timeoutMs}.
   */
  private RuntimeSpec compileTimeout(RequestLimits requested, RuntimeSpec runtime) {
    long max = Math.max(options.getExecutor().getMaxLimits().timeoutMs(), runtime.compileTimeoutMs());
    long ms = within("compileTimeoutMs", requested.compileTimeoutMs(), runtime.compileTimeoutMs(), 1, max);
    return ms == runtime.compileTimeoutMs() ? runtime : runtime.withCompileTimeoutMs(ms);
  }

  private ResourceLimits limits(RequestLimits requested) {
    ResourceLimits def = options.getExecutor().getLimits();
    ResourceLimits max = options.getExecutor().getMaxLimits();
    Double cpus = requested.cpus();
    if (cpus != null && (cpus.isNaN() || cpus.isInfinite() || cpus < 0.01)) {
      throw GatewayException.invalid("limits.cpus", "limits.cpus must be at least 0.01, got " + cpus);
    }
    if (cpus != null && cpus > max.cpus()) {
      throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, "limits.cpus is " + cpus + "; the maximum is " + max.cpus(),
        "limits.cpus");
    }
    return new ResourceLimits(
      within("timeoutMs", requested.timeoutMs(), def.timeoutMs(), 1, max.timeoutMs()),
      (int) within("memoryMb", requested.memoryMb(), def.memoryMb(), 6, max.memoryMb()),
      cpus == null ? def.cpus() : cpus,
      (int) within("pids", requested.pids(), def.pids(), 8, max.pids()),
      within("outputBytes", requested.outputBytes(), def.outputBytes(), 1, max.outputBytes()),
      within("outputFilesBytes", requested.outputFilesBytes(), def.outputFilesBytes(), 0, max.outputFilesBytes()));
  }

  private static long within(String key, Number requested, long def, long min, long max) {
    if (requested == null) {
      return def;
    }
    long value = requested.longValue();
    String field = "limits." + key;
    if (value < min) {
      throw GatewayException.invalid(field, field + " must be at least " + min + ", got " + value);
    }
    if (value > max) {
      throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, field + " is " + value + "; the maximum is " + max, field);
    }
    return value;
  }
}
