package io.execgate.http;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.execgate.GatewayOptions;
import io.execgate.client.FileNames;
import io.execgate.client.RuntimeCatalog;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.image.ImagePolicy;
import io.execgate.impl.JsonReader;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns a submit body into a validated {@link ExecutionJob}, or fails with the error that names the
 * field at fault: 400 for malformed or ill-typed input, 403 for an image the policy refuses, 413 for
 * content over a size cap, 422 for a limit above the operator's maximum.
 */
final class ExecutionRequestParser {

  private static final ObjectMapper STRICT = JsonMapper.builder()
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
    .build();
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Set<String> FIELDS = Set.of("script", "files", "language", "version", "image", "args", "stdin",
    "env", "limits", "wait");

  private final GatewayOptions options;
  private final HttpOptions http;
  private final ImagePolicy policy;
  private final RuntimeCatalog runtimes;

  ExecutionRequestParser(GatewayOptions options) {
    this.options = options;
    this.http = options.getHttp();
    this.runtimes = new RuntimeCatalog(options);
    this.policy = new ImagePolicy(options.resolvedRuntimes(), options.getImages());
  }

  /**
   * A parsed submit: the job and whether the client waits for the result.
   */
  record Submit(ExecutionJob job, boolean waitForResult) {
  }

  /**
   * Parses a raw body: strict UTF-8, then JSON, then the fields.
   */
  Submit parse(Buffer body, boolean interactive) {
    return parse(decode(body), interactive);
  }

  static JsonObject decode(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the request body is empty; a JSON object is expected");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(body.getBytes()))
        .toString();
    } catch (CharacterCodingException e) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the request body is not valid UTF-8");
    }
    return decode(text);
  }

  static JsonObject decode(String text) {
    Object value;
    try {
      // strict: a key given twice is refused, not silently resolved to its last value
      value = STRICT.readValue(text, Object.class);
    } catch (IOException e) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the request body is not valid JSON: " + shortMessage(e));
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the request body must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    JsonObject json = new JsonObject((Map<String, Object>) map);
    return json;
  }

  private static String shortMessage(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    m = nl > 0 ? m.substring(0, nl) : m;
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }

  Submit parse(JsonObject json, boolean interactive) {
    JsonReader r = new JsonReader(json, "", GatewayException::invalid);
    for (String key : json.fieldNames()) {
      if (!FIELDS.contains(key)) {
        throw GatewayException.invalid(key, "unknown field " + key);
      }
    }
    String language = r.getString("language", options.getDefaultRuntime());
    RuntimeSpec runtime = runtimes.select(language, r.getString("version", null));
    String image = image(r, runtime);
    List<SourceFile> files = files(r, runtime);
    byte[] stdin = stdin(r);
    long payload = files.stream().mapToLong(f -> f.content().length).sum() + (stdin == null ? 0 : stdin.length);
    long tmpfs = (long) options.getExecutor().getTmpfsMb() << 20;
    if (payload > tmpfs / 2) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "files and stdin take " + payload
        + " bytes; at most half of the sandbox's /tmp (" + tmpfs / 2 + " bytes) may be used", "files");
    }
    List<String> args = args(r);
    Map<String, String> env = env(r);
    JsonReader limitsReader = r.child("limits");
    runtime = compileTimeout(limitsReader, runtime);
    ResourceLimits limits = limits(limitsReader);
    boolean wait = r.getBoolean("wait", false);
    ExecutionJob job = new ExecutionJob(UUID.randomUUID().toString(), System.currentTimeMillis(),
      image.equals(runtime.image()) ? runtime : runtime.withImage(image), image, files, stdin, args, env, limits,
      interactive);
    return new Submit(job, wait);
  }

  private String image(JsonReader r, RuntimeSpec runtime) {
    String image = r.getString("image", null);
    if (image == null) {
      return runtime.image();
    }
    return policy.check(image);
  }

  private List<SourceFile> files(JsonReader r, RuntimeSpec runtime) {
    boolean hasScript = r.has("script");
    boolean hasFiles = r.has("files");
    if (hasScript && hasFiles) {
      throw GatewayException.invalid("script", "give either script or files, not both");
    }
    if (hasScript) {
      String script = r.getString("script", null);
      byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > http.getMaxScriptBytes()) {
        throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "script has " + bytes.length
          + " bytes; the maximum is " + http.getMaxScriptBytes(), "script");
      }
      return List.of(new SourceFile(runtime.file(), bytes));
    }
    JsonArray array = r.getArray("files");
    if (array == null) {
      throw GatewayException.invalid("script", "script or files is required");
    }
    if (array.isEmpty()) {
      throw GatewayException.invalid("files", "files must not be empty");
    }
    if (array.size() > http.getMaxFiles()) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "at most " + http.getMaxFiles() + " files are allowed",
        "files");
    }
    List<SourceFile> files = new ArrayList<>();
    Set<String> names = new HashSet<>();
    long total = 0;
    for (int i = 0; i < array.size(); i++) {
      String path = "files[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject o)) {
        throw GatewayException.invalid(path, path + " must be an object");
      }
      SourceFile file = file(new JsonReader(o, path, GatewayException::invalid), i == 0 ? runtime.file() : null);
      if (!names.add(file.name())) {
        throw GatewayException.invalid(path + ".name", "file name " + file.name() + " is used twice");
      }
      total += file.content().length;
      if (total > http.getMaxFilesBytes()) {
        throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "files take more than " + http.getMaxFilesBytes()
          + " bytes", path);
      }
      files.add(file);
    }
    return files;
  }

  private static SourceFile file(JsonReader r, String defaultName) {
    String name = r.getString("name", defaultName);
    if (name == null) {
      throw r.fail("name", r.path("name") + " is required");
    }
    String problem = FileNames.problem(name);
    if (problem != null) {
      throw r.fail("name", r.path("name") + " " + problem);
    }
    String content = r.getString("content", null);
    if (content == null) {
      throw r.fail("content", r.path("content") + " is required");
    }
    String encoding = r.getString("encoding", "utf8");
    byte[] bytes;
    switch (encoding) {
      case "utf8", "utf-8" -> bytes = content.getBytes(StandardCharsets.UTF_8);
      case "base64" -> {
        try {
          bytes = Base64.getDecoder().decode(WHITESPACE.matcher(content).replaceAll(""));
        } catch (IllegalArgumentException e) {
          throw r.fail("content", r.path("content") + " is not valid base64");
        }
      }
      default -> throw r.fail("encoding", r.path("encoding") + " must be utf8 or base64");
    }
    r.finish();
    return new SourceFile(name, bytes);
  }

  private byte[] stdin(JsonReader r) {
    String stdin = r.getString("stdin", null);
    if (stdin == null) {
      return null;
    }
    byte[] bytes = stdin.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > http.getMaxStdinBytes()) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "stdin has " + bytes.length + " bytes; the maximum is "
        + http.getMaxStdinBytes(), "stdin");
    }
    return bytes;
  }

  private List<String> args(JsonReader r) {
    List<String> args = r.getStrings("args", List.of());
    if (args.size() > http.getMaxArgs()) {
      throw GatewayException.invalid("args", "at most " + http.getMaxArgs() + " args are allowed");
    }
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).indexOf('\0') >= 0) {
        throw GatewayException.invalid("args[" + i + "]", "args[" + i + "] must not contain NUL characters");
      }
    }
    return args;
  }

  private Map<String, String> env(JsonReader r) {
    JsonObject env = r.getObject("env");
    Map<String, String> map = new LinkedHashMap<>();
    if (env == null) {
      return map;
    }
    if (env.size() > http.getMaxEnv()) {
      throw GatewayException.invalid("env", "at most " + http.getMaxEnv() + " env entries are allowed");
    }
    for (String key : env.fieldNames()) {
      String path = "env." + key;
      if (!ENV_NAME.matcher(key).matches()) {
        throw GatewayException.invalid(path, "env name '" + key + "' must match " + ENV_NAME.pattern());
      }
      if (!(env.getValue(key) instanceof String value)) {
        throw GatewayException.invalid(path, path + " must be a string");
      }
      if (value.indexOf('\0') >= 0) {
        throw GatewayException.invalid(path, path + " must not contain NUL characters");
      }
      map.put(key, value);
    }
    return map;
  }

  /**
   * {@code limits.compileTimeoutMs}: the compile step's own deadline, by default the runtime's, at
   * most the operator's maximum {@code timeoutMs}.
   */
  private RuntimeSpec compileTimeout(JsonReader r, RuntimeSpec runtime) {
    long max = options.getExecutor().getMaxLimits().timeoutMs();
    long ms = within(r, "compileTimeoutMs", r.getLong("compileTimeoutMs", runtime.compileTimeoutMs(), 1,
      Long.MAX_VALUE), Math.max(max, runtime.compileTimeoutMs()));
    return ms == runtime.compileTimeoutMs() ? runtime : runtime.withCompileTimeoutMs(ms);
  }

  private ResourceLimits limits(JsonReader r) {
    ResourceLimits def = options.getExecutor().getLimits();
    ResourceLimits max = options.getExecutor().getMaxLimits();
    ResourceLimits limits = new ResourceLimits(
      within(r, "timeoutMs", r.getLong("timeoutMs", def.timeoutMs(), 1, Long.MAX_VALUE), max.timeoutMs()),
      (int) within(r, "memoryMb", r.getLong("memoryMb", def.memoryMb(), 6, Long.MAX_VALUE), max.memoryMb()),
      withinCpus(r, r.getDouble("cpus", def.cpus(), 0.01, Double.MAX_VALUE), max.cpus()),
      (int) within(r, "pids", r.getLong("pids", def.pids(), 8, Long.MAX_VALUE), max.pids()),
      within(r, "outputBytes", r.getLong("outputBytes", def.outputBytes(), 1, Long.MAX_VALUE), max.outputBytes()));
    r.finish();
    return limits;
  }

  private static long within(JsonReader r, String key, long value, long max) {
    if (value > max) {
      throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, r.path(key) + " is " + value + "; the maximum is " + max,
        r.path(key));
    }
    return value;
  }

  private static double withinCpus(JsonReader r, double value, double max) {
    if (value > max) {
      throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, r.path("cpus") + " is " + value + "; the maximum is " + max,
        r.path("cpus"));
    }
    return value;
  }
}
