package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated, fully resolved execution, as it travels from the HTTP gateway to an executor.
 *
 * @param id          the execution id
 * @param submittedAt epoch milliseconds of the submit
 * @param runtime     the runtime it runs in
 * @param image       the image, after the image policy and registry prefix
 * @param files       the files to write; the first is the entry file
 * @param stdin       the program's standard input, or {@code null} for none (or interactive)
 * @param args        arguments appended to the run command
 * @param env         environment variables for the program
 * @param limits      the effective limits
 * @param interactive whether stdin arrives later over the control address
 * @param owner       the id of the API key that submitted it (its record carries it: only that key, or an
 *                    admin, may read, stream or cancel it), or {@code null} before admission
 * @param tests       the test cases of a judged execution, or {@code null}
 * @param compilerOptions words added to the runtime's compile command ({@link CompilerOptions}), empty for none
 * @param session     the session whose sandbox runs it (its working directory persists), or {@code null}
 *                    for a fresh sandbox
 */
public record ExecutionJob(String id, long submittedAt, RuntimeSpec runtime, String image, List<SourceFile> files,
                           byte[] stdin, List<String> args, Map<String, String> env, ResourceLimits limits,
                           boolean interactive, String owner, TestSuite tests, List<String> compilerOptions,
                           String session) {

  public ExecutionJob {
    files = List.copyOf(files);
    compilerOptions = compilerOptions == null ? List.of() : List.copyOf(compilerOptions);
    args = List.copyOf(args);
    env = Map.copyOf(new LinkedHashMap<>(env));
  }

  /**
   * A job without compiler options, for a fresh sandbox.
   */
  public ExecutionJob(String id, long submittedAt, RuntimeSpec runtime, String image, List<SourceFile> files,
                      byte[] stdin, List<String> args, Map<String, String> env, ResourceLimits limits,
                      boolean interactive, String owner, TestSuite tests) {
    this(id, submittedAt, runtime, image, files, stdin, args, env, limits, interactive, owner, tests, List.of(), null);
  }

  /**
   * A job without test cases, for a fresh sandbox.
   */
  public ExecutionJob(String id, long submittedAt, RuntimeSpec runtime, String image, List<SourceFile> files,
                      byte[] stdin, List<String> args, Map<String, String> env, ResourceLimits limits,
                      boolean interactive, String owner) {
    this(id, submittedAt, runtime, image, files, stdin, args, env, limits, interactive, owner, (TestSuite) null);
  }

  /**
   * A job that no key owns yet.
   */
  public ExecutionJob(String id, long submittedAt, RuntimeSpec runtime, String image, List<SourceFile> files,
                      byte[] stdin, List<String> args, Map<String, String> env, ResourceLimits limits,
                      boolean interactive) {
    this(id, submittedAt, runtime, image, files, stdin, args, env, limits, interactive, null);
  }

  /**
   * @return the same job, owned by the key {@code owner}
   */
  public ExecutionJob withOwner(String owner) {
    return new ExecutionJob(id, submittedAt, runtime, image, files, stdin, args, env, limits, interactive, owner,
      tests, compilerOptions, session);
  }

  /**
   * @return the same job, run in the sandbox of the session {@code session}
   */
  public ExecutionJob withSession(String session) {
    return new ExecutionJob(id, submittedAt, runtime, image, files, stdin, args, env, limits, interactive, owner,
      tests, compilerOptions, session);
  }

  /**
   * @return the same job, its runtime's compile command given {@code options} (see {@link CompilerOptions})
   */
  public ExecutionJob withCompilerOptions(List<String> options) {
    return new ExecutionJob(id, submittedAt, runtime, image, files, stdin, args, env, limits, interactive, owner,
      tests, options, session);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecutionJob j && id.equals(j.id) && submittedAt == j.submittedAt && runtime.equals(j.runtime)
      && image.equals(j.image) && files.equals(j.files) && Arrays.equals(stdin, j.stdin) && args.equals(j.args)
      && env.equals(j.env) && limits.equals(j.limits) && interactive == j.interactive && Objects.equals(owner, j.owner)
      && Objects.equals(tests, j.tests) && compilerOptions.equals(j.compilerOptions)
      && Objects.equals(session, j.session);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, submittedAt, runtime, image, files, Arrays.hashCode(stdin), args, env, limits, interactive,
      owner, tests, compilerOptions, session);
  }

  @Override
  public String toString() {
    return "ExecutionJob[" + id + ", " + runtime.name() + " on " + image + ", " + files.size() + " file(s)]";
  }

  public JsonObject toJson() {
    JsonArray fileArray = new JsonArray();
    files.forEach(f -> fileArray.add(f.toJson()));
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("submittedAt", submittedAt)
      .put("runtime", runtime.toJson())
      .put("image", image)
      .put("files", fileArray)
      .put("args", new JsonArray(new ArrayList<>(args)))
      .put("env", new JsonObject(new LinkedHashMap<>(env)))
      .put("limits", limits.toJson())
      .put("interactive", interactive);
    if (stdin != null) {
      json.put("stdin", stdin);
    }
    if (owner != null) {
      json.put("owner", owner);
    }
    if (tests != null) {
      json.put("tests", tests.toJson());
    }
    if (!compilerOptions.isEmpty()) {
      json.put("compilerOptions", new JsonArray(new ArrayList<>(compilerOptions)));
    }
    if (session != null) {
      json.put("session", session);
    }
    return json;
  }

  public static ExecutionJob fromJson(JsonObject json) {
    List<SourceFile> files = new ArrayList<>();
    json.getJsonArray("files").forEach(f -> files.add(SourceFile.fromJson((JsonObject) f)));
    Map<String, String> env = new LinkedHashMap<>();
    json.getJsonObject("env").forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    return new ExecutionJob(
      json.getString("id"),
      json.getLong("submittedAt"),
      RuntimeSpec.fromJson(json.getJsonObject("runtime")),
      json.getString("image"),
      files,
      json.getBinary("stdin"),
      json.getJsonArray("args").stream().map(String::valueOf).toList(),
      env,
      ResourceLimits.fromJson(json.getJsonObject("limits")),
      json.getBoolean("interactive", false),
      json.getString("owner"),
      TestSuite.fromJson(json.getJsonObject("tests")),
      json.getJsonArray("compilerOptions", new JsonArray()).stream().map(String::valueOf).toList(),
      json.getString("session"));
  }
}
