package io.execgate.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.execgate.GatewayOptions;
import io.execgate.config.JsonReader;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.CompareMode;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.RequestLimits;
import io.execgate.model.ResourceLimits;
import io.execgate.model.SourceFile;
import io.execgate.model.TestCase;
import io.execgate.model.TestSuite;
import io.execgate.request.RequestResolver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Turns a submit body into a validated {@link ExecutionJob}, or fails with the error that names the
 * field at fault. It reads the JSON strictly (400 for malformed or ill-typed input and unknown
 * fields) into an {@link ExecutionRequest}, then hands that to the {@link RequestResolver}, which
 * applies the rules every request obeys, typed ones included: 403 for an image the policy refuses,
 * 413 for content over a size cap, 422 for a limit above the operator's maximum.
 */
final class ExecutionRequestParser {

  /**
   * JSON tokens a body may have. A submit has a few hundred at most (256 args, 256 env entries, 64
   * files); 16 MiB of tiny values would decode to hundreds of MiB of objects.
   */
  static final int MAX_TOKENS = 100_000;
  private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(MAX_TOKENS).build())
      .build())
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
    .build();
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Set<String> FIELDS = Set.of("script", "files", "language", "version", "image", "args", "stdin",
    "env", "limits", "wait", "tests", "compare", "stopOnFailure", "callbackUrl");

  private final RequestResolver resolver;
  private final ResourceLimits max;
  private final int maxTests;

  ExecutionRequestParser(GatewayOptions options) {
    this.resolver = new RequestResolver(options);
    this.max = options.getExecutor().getMaxLimits();
    this.maxTests = options.getHttp().getMaxTests();
  }

  /**
   * A parsed submit: the job, whether the client waits for the result, and where to deliver its
   * completion ({@code null}: nowhere; checked against the webhook policy by the API, which knows the key).
   */
  record Submit(ExecutionJob job, boolean waitForResult, String callbackUrl) {
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
    byte[] bytes = body.getBytes();
    // checked in place and parsed from the bytes: no copy of the whole body as text (a 16 MiB body
    // made 60 MiB of garbage that way)
    if (!isUtf8(bytes)) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the request body is not valid UTF-8");
    }
    // a reader: UTF-8 whatever the first bytes look like (Jackson would detect UTF-16 from a byte source)
    return decode(() -> STRICT.readValue(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8),
      Object.class));
  }

  private static boolean isUtf8(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isError()) {
        return false;
      }
      if (result.isUnderflow()) {
        return !decoder.flush(out).isError();
      }
      out.clear();
    }
  }

  static JsonObject decode(String text) {
    return decode(() -> STRICT.readValue(text, Object.class));
  }

  private interface JsonRead {
    Object read() throws IOException;
  }

  private static JsonObject decode(JsonRead read) {
    Object value;
    try {
      // strict: a key given twice is refused, not silently resolved to its last value
      value = read.read();
    } catch (StreamConstraintsException e) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the request body is beyond the JSON limits (at most "
        + MAX_TOKENS + " JSON tokens): " + shortMessage(e));
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
    String language = r.getString("language", null);
    String version = r.getString("version", null);
    String image = r.getString("image", null);
    String script = r.getString("script", null);
    List<SourceFile> files = files(r, () -> resolver.runtime(language, version).file());
    String stdin = r.getString("stdin", null);
    List<String> args = r.getStrings("args", List.of());
    Map<String, String> env = env(r);
    RequestLimits limits = limits(r.child("limits"));
    boolean wait = r.getBoolean("wait", false);
    String callbackUrl = r.getString("callbackUrl", null);
    if (callbackUrl != null && interactive) {
      throw GatewayException.invalid("callbackUrl", "callbackUrl is not taken by interactive executions");
    }
    TestSuite tests = tests(r);
    ExecutionRequest request = new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits,
      tests);
    return new Submit(resolver.resolve(request, interactive), wait, callbackUrl);
  }

  /**
   * {@code tests}, {@code compare} and {@code stopOnFailure}; the last two only with the first. The
   * count is checked before any test is read (a body of a million tests is refused by its size).
   */
  private TestSuite tests(JsonReader r) {
    JsonArray array = r.getArray("tests");
    String compareId = r.getString("compare", null);
    boolean stopOnFailure = r.getBoolean("stopOnFailure", false);
    if (array == null) {
      if (compareId != null || r.has("stopOnFailure")) {
        String field = compareId != null ? "compare" : "stopOnFailure";
        throw GatewayException.invalid(field, field + " applies to tests, and there are none");
      }
      return null;
    }
    CompareMode compare = compareId == null ? CompareMode.DEFAULT : CompareMode.of(compareId);
    if (compare == null) {
      throw GatewayException.invalid("compare", "compare must be exact, trim or tokens");
    }
    if (array.isEmpty()) {
      throw GatewayException.invalid("tests", "tests must not be empty");
    }
    if (array.size() > maxTests) {
      throw GatewayException.invalid("tests", "at most " + maxTests + " tests are allowed, got " + array.size());
    }
    List<TestCase> tests = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String path = "tests[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject o)) {
        throw GatewayException.invalid(path, path + " must be an object");
      }
      JsonReader t = new JsonReader(o, path, GatewayException::invalid);
      String name = t.getString("name", null);
      String stdin = t.getString("stdin", null);
      List<String> args = t.getStrings("args", List.of());
      String expected = t.getString("expectedStdout", null);
      Long timeoutMs = t.has("timeoutMs") ? t.getLong("timeoutMs", 0, Long.MIN_VALUE, Long.MAX_VALUE) : null;
      t.finish();
      tests.add(new TestCase(name, stdin, args, expected, timeoutMs));
    }
    return new TestSuite(tests, compare, stopOnFailure);
  }

  /**
   * @param entryFile the name of a first file that gives none: the runtime's entry file
   */
  private static List<SourceFile> files(JsonReader r, Supplier<String> entryFile) {
    JsonArray array = r.getArray("files");
    if (array == null) {
      return null;
    }
    List<SourceFile> files = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String path = "files[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject o)) {
        throw GatewayException.invalid(path, path + " must be an object");
      }
      files.add(file(new JsonReader(o, path, GatewayException::invalid), i == 0 ? entryFile : null));
    }
    return files;
  }

  private static SourceFile file(JsonReader r, Supplier<String> defaultName) {
    String name = r.getString("name", null);
    if (name == null && defaultName == null) {
      throw r.fail("name", r.path("name") + " is required");
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
    return new SourceFile(name != null ? name : defaultName.get(), bytes);
  }

  private static Map<String, String> env(JsonReader r) {
    JsonObject env = r.getObject("env");
    Map<String, String> map = new LinkedHashMap<>();
    if (env == null) {
      return map;
    }
    for (String key : env.fieldNames()) {
      if (!(env.getValue(key) instanceof String value)) {
        throw GatewayException.invalid("env." + key, "env." + key + " must be a string");
      }
      map.put(key, value);
    }
    return map;
  }

  private RequestLimits limits(JsonReader r) {
    RequestLimits limits = new RequestLimits(
      r.has("timeoutMs") ? r.getLong("timeoutMs", 0, Long.MIN_VALUE, Long.MAX_VALUE) : null,
      intLimit(r, "memoryMb", max.memoryMb()),
      r.has("cpus") ? r.getDouble("cpus", 0, -Double.MAX_VALUE, Double.MAX_VALUE) : null,
      intLimit(r, "pids", max.pids()),
      r.has("outputBytes") ? r.getLong("outputBytes", 0, Long.MIN_VALUE, Long.MAX_VALUE) : null,
      r.has("compileTimeoutMs") ? r.getLong("compileTimeoutMs", 0, Long.MIN_VALUE, Long.MAX_VALUE) : null,
      r.has("outputFilesBytes") ? r.getLong("outputFilesBytes", 0, Long.MIN_VALUE, Long.MAX_VALUE) : null);
    r.finish();
    return limits;
  }

  /**
   * An integer limit; one beyond an int is above any maximum (the resolver checks the others).
   */
  private static Integer intLimit(JsonReader r, String key, int max) {
    if (!r.has(key)) {
      return null;
    }
    long value = r.getLong(key, 0, Long.MIN_VALUE, Long.MAX_VALUE);
    if (value > Integer.MAX_VALUE) {
      throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, r.path(key) + " is " + value + "; the maximum is " + max,
        r.path(key));
    }
    return (int) Math.max(value, Integer.MIN_VALUE);
  }
}
