package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a client asks to run: a script or a set of files, in a runtime, with optional arguments,
 * standard input, environment and limits. It is the typed form of the body of
 * {@code POST /v1/executions}, validated by the same rules against the gateway's options when it is
 * submitted. Immutable; build one fluently:
 * <pre>{@code
 * ExecutionRequest request = ExecutionRequest.script("print(input())")
 *   .withLanguage("python")
 *   .withStdin("hello\n")
 *   .withLimits(RequestLimits.defaults().withTimeoutMs(5_000));
 * }</pre>
 *
 * @param script   the program, written to the runtime's entry file; {@code null} when {@code files} is given
 * @param files    the files to write, the first one being the entry file; {@code null} when {@code script} is given
 * @param language a runtime's name or alias; {@code null} for the gateway's default runtime
 * @param version  a version selector ({@code 3.11.2}, {@code 3.x}, {@code >=3.10 <4}); {@code null} for the newest
 * @param image    an image to run in instead of the runtime's, subject to the image policy; {@code null} for the runtime's
 * @param args     arguments appended to the run command
 * @param stdin    the program's whole standard input, or {@code null} for none
 * @param env      environment variables for the program
 * @param limits   limits below the operator's maxima; unset ones take the operator's defaults
 * @param tests    test cases: the program is compiled once and run once per test, each judged; {@code null} for
 *                 an ordinary run
 */
public record ExecutionRequest(String script, List<SourceFile> files, String language, String version, String image,
                               List<String> args, String stdin, Map<String, String> env, RequestLimits limits,
                               TestSuite tests) {

  public ExecutionRequest {
    files = files == null ? null : List.copyOf(files);
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(env));
    limits = limits == null ? RequestLimits.defaults() : limits;
  }

  /**
   * A request without test cases.
   */
  public ExecutionRequest(String script, List<SourceFile> files, String language, String version, String image,
                          List<String> args, String stdin, Map<String, String> env, RequestLimits limits) {
    this(script, files, language, version, image, args, stdin, env, limits, null);
  }

  /**
   * @return a copy that runs once per test case of {@code tests}, each judged
   */
  public ExecutionRequest withTests(TestSuite tests) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @param script the program's text, written to the runtime's entry file (e.g. {@code main.py})
   * @return a request that runs {@code script} in the default runtime
   */
  public static ExecutionRequest script(String script) {
    return new ExecutionRequest(script, null, null, null, null, null, null, null, null);
  }

  /**
   * @param files the files to write into the working directory; the first one is the entry file
   * @return a request that runs {@code files} in the default runtime
   */
  public static ExecutionRequest files(List<SourceFile> files) {
    return new ExecutionRequest(null, files, null, null, null, null, null, null, null);
  }

  /**
   * @return a copy that runs in the runtime called (or aliased) {@code language}
   */
  public ExecutionRequest withLanguage(String language) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @return a copy that selects the runtime's version with {@code version}
   */
  public ExecutionRequest withVersion(String version) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @return a copy that runs in {@code image} (allowed by the gateway's image policy)
   */
  public ExecutionRequest withImage(String image) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @return a copy that passes {@code args} to the program
   */
  public ExecutionRequest withArgs(List<String> args) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @return a copy whose program reads {@code stdin}, then end-of-file
   */
  public ExecutionRequest withStdin(String stdin) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @return a copy whose program sees the environment variables {@code env}
   */
  public ExecutionRequest withEnv(Map<String, String> env) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @return a copy with {@code limits}
   */
  public ExecutionRequest withLimits(RequestLimits limits) {
    return new ExecutionRequest(script, files, language, version, image, args, stdin, env, limits, tests);
  }

  /**
   * @return the request as the body of {@code POST /v1/executions} (files base64-encoded)
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (script != null) {
      json.put("script", script);
    }
    if (files != null) {
      JsonArray array = new JsonArray();
      files.forEach(f -> array.add(new JsonObject().put("name", f.name())
        .put("content", Base64.getEncoder().encodeToString(f.content())).put("encoding", "base64")));
      json.put("files", array);
    }
    json.put("language", language).put("version", version).put("image", image).put("stdin", stdin);
    json.put("args", new JsonArray(List.copyOf(args))).put("env", new JsonObject(new LinkedHashMap<>(env)));
    json.put("limits", limits.toJson());
    if (tests != null) {
      JsonObject suite = tests.toJson();
      suite.fieldNames().forEach(key -> json.put(key, suite.getValue(key)));
    }
    json.fieldNames().removeIf(key -> json.getValue(key) == null);
    return json;
  }
}
