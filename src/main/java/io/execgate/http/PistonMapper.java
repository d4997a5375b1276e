package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.StageResult;
import io.execgate.model.Usage;
import io.execgate.request.FileNames;
import io.execgate.request.RuntimeCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.HexFormat;

/**
 * Translates between Piston's API v2 (engineer-man/piston, docs/api-v2.md) and execgate's own: a
 * Piston execute request becomes a {@code POST /v1/executions} body, validated with Piston's
 * messages; a final result becomes Piston's response with its {@code run} and {@code compile}
 * stages. Like Piston, unknown request fields are ignored.
 */
final class PistonMapper {

  private static final long MIB = 1 << 20;
  private static final int MIN_MEMORY_MB = 6;

  private final ResourceLimits maxLimits;
  private final RuntimeCatalog runtimes;

  PistonMapper(GatewayOptions options, RuntimeCatalog runtimes) {
    this.maxLimits = options.getExecutor().getMaxLimits();
    this.runtimes = runtimes;
  }

  /**
   * A Piston request translated: the runtime it selected and the equivalent execgate submit body.
   */
  record Request(RuntimeSpec runtime, JsonObject submit) {
  }

  /**
   * @return {@code GET /api/v2/runtimes}: {@code [{language, version, aliases}]}
   */
  JsonArray runtimes() {
    JsonArray list = new JsonArray();
    for (RuntimeSpec spec : runtimes.all()) {
      list.add(new JsonObject()
        .put("language", spec.name())
        .put("version", spec.version())
        .put("aliases", new JsonArray(spec.aliases())));
    }
    return list;
  }

  /**
   * @return {@code GET /api/v2/packages}: {@code [{language, language_version, installed}]}, every
   *   configured runtime installed
   */
  JsonArray packages() {
    JsonArray list = new JsonArray();
    for (RuntimeSpec spec : runtimes.all()) {
      list.add(new JsonObject()
        .put("language", spec.name())
        .put("language_version", spec.version())
        .put("installed", true));
    }
    return list;
  }

  /**
   * @param body a package request: {@code {language, version}}, the version a selector
   * @return the newest configured runtime it selects
   * @throws GatewayException {@link ErrorCode#INVALID_REQUEST} for a request without them,
   *   {@link ErrorCode#NOT_FOUND} with Piston's message when none matches
   */
  RuntimeSpec toPackage(JsonObject body) {
    if (!(body.getValue("language") instanceof String language)) {
      throw bad("language is required as a string");
    }
    if (!(body.getValue("version") instanceof String version)) {
      throw bad("version is required as a string");
    }
    return runtimes.find(language, version).orElseThrow(() -> new GatewayException(ErrorCode.NOT_FOUND,
      "Requested package " + language + "-" + version + " does not exist"));
  }

  /**
   * @throws GatewayException {@link ErrorCode#INVALID_REQUEST} with Piston's message for what is wrong
   */
  Request toSubmit(JsonObject body) {
    if (!(body.getValue("language") instanceof String language) || language.isEmpty()) {
      throw bad("language is required as a string");
    }
    Object versionValue = body.getValue("version");
    if (versionValue != null && !(versionValue instanceof String)) {
      throw bad("version is required as a string");
    }
    String version = versionValue == null ? "*" : (String) versionValue;
    if (!(body.getValue("files") instanceof JsonArray files)) {
      throw bad("files is required as an array");
    }
    for (int i = 0; i < files.size(); i++) {
      if (!(files.getValue(i) instanceof JsonObject f) || !(f.getValue("content") instanceof String)) {
        throw bad("files[" + i + "].content is required as a string");
      }
    }
    RuntimeSpec runtime = runtimes.find(language, version).orElseThrow(() ->
      bad(language + "-" + version + " runtime is unknown; available: " + runtimes.describe()));
    JsonObject limits = new JsonObject();
    putTimeout(body, "run_timeout", maxLimits.timeoutMs(), limits, "timeoutMs");
    putTimeout(body, "compile_timeout", Math.max(maxLimits.timeoutMs(), runtime.compileTimeoutMs()), limits,
      "compileTimeoutMs");
    Long run = memoryMb(body, "run_memory_limit");
    Long compile = memoryMb(body, "compile_memory_limit");
    if (run != null || compile != null) {
      // one container, one memory cgroup: it gets the larger of the two
      limits.put("memoryMb", Math.max(run == null ? 0 : run, compile == null ? 0 : compile));
    }
    number(body, "run_cpu_time");
    number(body, "compile_cpu_time");
    JsonObject submit = new JsonObject()
      .put("language", runtime.name())
      .put("version", runtime.version())
      .put("files", files(files, runtime))
      .put("stdin", stdin(body))
      .put("args", args(body))
      .put("limits", limits);
    return new Request(runtime, submit);
  }

  private JsonArray files(JsonArray files, RuntimeSpec runtime) {
    // Piston runs the first utf8 file; execgate runs the first file: it goes first
    int entry = -1;
    for (int i = 0; i < files.size() && entry < 0; i++) {
      if (!"base64".equals(files.getJsonObject(i).getValue("encoding"))
        && !"hex".equals(files.getJsonObject(i).getValue("encoding"))) {
        entry = i;
      }
    }
    if (entry < 0) {
      throw bad("files must include at least one utf8 encoded file");
    }
    JsonArray out = new JsonArray().add(file(files.getJsonObject(entry), entry, runtime.file()));
    for (int i = 0; i < files.size(); i++) {
      if (i != entry) {
        out.add(file(files.getJsonObject(i), i, "file" + i + ".code"));
      }
    }
    return out;
  }

  private static JsonObject file(JsonObject f, int i, String defaultName) {
    Object nameValue = f.getValue("name");
    if (nameValue != null && !(nameValue instanceof String)) {
      throw bad("files[" + i + "].name must be a string");
    }
    String name = nameValue == null || ((String) nameValue).isEmpty() ? defaultName : (String) nameValue;
    String problem = FileNames.problem(name);
    if (problem != null) {
      throw bad("files[" + i + "].name " + problem);
    }
    String content = f.getString("content");
    Object encoding = f.getValue("encoding");
    JsonObject out = new JsonObject().put("name", name);
    if ("base64".equals(encoding)) {
      return out.put("content", content).put("encoding", "base64");
    }
    if ("hex".equals(encoding)) {
      try {
        return out.put("content", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(content.strip())))
          .put("encoding", "base64");
      } catch (IllegalArgumentException e) {
        throw bad("files[" + i + "].content is not valid hex");
      }
    }
    // Piston reads any other encoding as utf8
    return out.put("content", content).put("encoding", "utf8");
  }

  private static String stdin(JsonObject body) {
    Object value = body.getValue("stdin");
    if (value != null && !(value instanceof String)) {
      throw bad("stdin must be a string");
    }
    String stdin = value == null ? "" : (String) value;
    // as Piston does: the program's input always ends with a newline
    return stdin.endsWith("\n") ? stdin : stdin + "\n";
  }

  private static JsonArray args(JsonObject body) {
    Object value = body.getValue("args");
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray args)) {
      throw bad("args must be an array");
    }
    for (int i = 0; i < args.size(); i++) {
      if (!(args.getValue(i) instanceof String)) {
        throw bad("args[" + i + "] must be a string");
      }
    }
    return args;
  }

  private static void putTimeout(JsonObject body, String key, long max, JsonObject limits, String limitKey) {
    Double value = number(body, key);
    if (value == null) {
      return;
    }
    if (value > max) {
      throw bad(key + " cannot exceed the configured limit of " + max);
    }
    if (value < 0) {
      throw bad(key + " must be non-negative");
    }
    limits.put(limitKey, Math.max(1, (long) Math.ceil(value)));
  }

  /**
   * @return the limit in MiB, rounded up, or {@code null} for none given (absent, 0, or Piston's -1)
   */
  private Long memoryMb(JsonObject body, String key) {
    Double value = number(body, key);
    if (value == null || value == -1) {
      return null;
    }
    long max = maxLimits.memoryMb() * MIB;
    if (value > max) {
      throw bad(key + " cannot exceed the configured limit of " + max);
    }
    if (value < 0) {
      throw bad(key + " must be non-negative");
    }
    if (value < MIN_MEMORY_MB * MIB) {
      throw bad(key + " must be at least " + MIN_MEMORY_MB * MIB);
    }
    return (long) Math.ceil(value / MIB);
  }

  /**
   * @return the number, or {@code null} when absent or 0 (Piston's "not specified")
   */
  private static Double number(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (value == null || Boolean.FALSE.equals(value) || "".equals(value)) {
      return null;
    }
    if (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
      throw bad("If specified, " + key + " must be a number");
    }
    return n.doubleValue() == 0 ? null : n.doubleValue();
  }

  private static GatewayException bad(String message) {
    return new GatewayException(ErrorCode.INVALID_REQUEST, message);
  }

  /**
   * Piston's response to a final result that is not an {@code error}.
   *
   * @param runOutput     the run step's stdout and stderr interleaved as they arrived, or {@code null}
   * @param compileOutput the same for the compile step, or {@code null}
   */
  JsonObject response(ExecutionResult r, RuntimeSpec runtime, String runOutput, String compileOutput) {
    return response(r, runtime, runOutput, compileOutput, false);
  }

  /**
   * Piston's response to a final result that is not an {@code error}.
   *
   * @param checked whether the caller made sure that an interleaved output it gives holds exactly
   *                the two streams (its texts may be placeholders, whose lengths say nothing)
   */
  JsonObject response(ExecutionResult r, RuntimeSpec runtime, String runOutput, String compileOutput,
                      boolean checked) {
    JsonObject json = new JsonObject().put("language", runtime.name()).put("version", runtime.version());
    StageResult c = r.compile();
    boolean ranProgram = c == null || Integer.valueOf(0).equals(c.exitCode());
    JsonObject compile = null;
    if (c != null) {
      Usage usage = c.usage() == null ? Usage.UNKNOWN : c.usage();
      Outcome o = ranProgram ? Outcome.OK : outcome(r.status(), c.exitCode(), c.signal(), c.stdoutTruncated(),
        r.message());
      compile = stage(c.stdout(), c.stderr(), combined(compileOutput, c.stdout(), c.stderr(), checked), o,
        usage.memoryPeakBytes(), usage.cpuMs(), c.durationMs());
      json.put("compile", compile);
    }
    if (!ranProgram) {
      // what Piston does when the run stage never started
      return json.put("run", compile.copy());
    }
    Usage usage = r.usage() == null ? Usage.UNKNOWN : r.usage();
    Long cpu = usage.cpuMs();
    if (cpu != null && c != null && c.usage() != null && c.usage().cpuMs() != null) {
      cpu = Math.max(0, cpu - c.usage().cpuMs());
    }
    Outcome o = outcome(r.status(), r.exitCode(), r.signal(), r.stdoutTruncated(), r.message());
    return json.put("run", stage(r.stdout(), r.stderr(), combined(runOutput, r.stdout(), r.stderr(), checked), o,
      usage.memoryPeakBytes(), cpu, r.durationMs()));
  }

  /** How a stage ended, in Piston's (isolate's) terms. */
  private record Outcome(Integer code, String signal, String status, String message) {

    static final Outcome OK = new Outcome(0, null, null, null);
  }

  private static Outcome outcome(ExecutionStatus status, Integer exitCode, String signal, boolean stdoutCut,
                                 String message) {
    return switch (status) {
      case SUCCEEDED -> new Outcome(exitCode, null, null, null);
      case FAILED -> signal != null
        ? new Outcome(null, signal, "SG", "Caught fatal signal " + (exitCode - 128))
        : new Outcome(exitCode, null, "RE", "Exited with error status " + exitCode);
      case TIMEOUT -> new Outcome(null, "SIGKILL", "TO", message);
      case OUTPUT_LIMIT -> new Outcome(null, "SIGKILL", stdoutCut ? "OL" : "EL", message);
      case OOM_KILLED -> new Outcome(null, "SIGKILL", "SG", message);
      default -> new Outcome(exitCode, signal, "XX", message);
    };
  }

  private static JsonObject stage(String stdout, String stderr, String output, Outcome o, Long memory, Long cpuMs,
                                  Long wallMs) {
    return new JsonObject()
      .put("stdout", stdout == null ? "" : stdout)
      .put("stderr", stderr == null ? "" : stderr)
      .put("output", output)
      .put("code", o.signal() != null ? null : o.code())
      .put("signal", o.signal())
      .put("message", o.message())
      .put("status", o.status())
      .put("memory", memory)
      .put("cpu_time", cpuMs)
      .put("wall_time", wallMs);
  }

  /**
   * @return the interleaved output when it holds exactly the two streams, else stdout then stderr
   */
  static String combined(String interleaved, String stdout, String stderr, boolean checked) {
    String out = stdout == null ? "" : stdout;
    String err = stderr == null ? "" : stderr;
    if (interleaved != null && (checked || interleaved.length() == out.length() + err.length())) {
      return interleaved;
    }
    return out + err;
  }
}
