package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A language runtime: which image runs a program, under which file name the script is written and
 * which shell commands compile and run it. {@code {file}} in a command stands for the entry file; in
 * the compile command, {@code {sources:.c,.h}} stands for the entry file and every other file whose
 * name ends with one of those extensions (see {@code JobScript.compileCommand}).
 *
 * @param name             the language name requests use, e.g. {@code python}
 * @param aliases          other names for it
 * @param version          the runtime's version, reported to clients
 * @param image            the image it runs in
 * @param file             the entry file name a {@code script} is written to
 * @param compile          the compile command, or {@code null} when there is no compile step
 * @param run              the run command; the request's {@code args} are appended
 * @param compileTimeoutMs the compile step's own deadline
 * @param tmpfsExec        whether /tmp is mounted {@code exec} (compiled binaries run from it)
 * @param ociRuntime       the engine's OCI runtime its sandboxes run with (e.g. {@code runsc}), or
 *                         {@code null} for the gateway's {@code docker.ociRuntime}
 * @param judge0Id         its {@code language_id} on the Judge0-compatible API, or {@code null} for Judge0 CE's
 *                         id of the same language when it has one
 */
public record RuntimeSpec(String name, List<String> aliases, String version, String image, String file,
                          String compile, String run, long compileTimeoutMs, boolean tmpfsExec, String ociRuntime,
                          Integer judge0Id) {

  public static final long DEFAULT_COMPILE_TIMEOUT_MS = 10_000;

  public RuntimeSpec {
    aliases = List.copyOf(aliases);
  }

  /**
   * A runtime with the default Judge0 language id.
   */
  public RuntimeSpec(String name, List<String> aliases, String version, String image, String file, String compile,
                     String run, long compileTimeoutMs, boolean tmpfsExec, String ociRuntime) {
    this(name, aliases, version, image, file, compile, run, compileTimeoutMs, tmpfsExec, ociRuntime, null);
  }

  /**
   * A runtime with the gateway's OCI runtime.
   */
  public RuntimeSpec(String name, List<String> aliases, String version, String image, String file, String compile,
                     String run, long compileTimeoutMs, boolean tmpfsExec) {
    this(name, aliases, version, image, file, compile, run, compileTimeoutMs, tmpfsExec, null);
  }

  /**
   * @return whether {@code language} names this runtime
   */
  public boolean matches(String language) {
    return name.equalsIgnoreCase(language) || aliases.stream().anyMatch(language::equalsIgnoreCase);
  }

  public RuntimeSpec withImage(String newImage) {
    return new RuntimeSpec(name, aliases, version, newImage, file, compile, run, compileTimeoutMs, tmpfsExec,
      ociRuntime, judge0Id);
  }

  /**
   * @return this runtime with another compile deadline (a request's own)
   */
  public RuntimeSpec withCompileTimeoutMs(long newCompileTimeoutMs) {
    return new RuntimeSpec(name, aliases, version, image, file, compile, run, newCompileTimeoutMs, tmpfsExec,
      ociRuntime, judge0Id);
  }

  /**
   * @return this runtime with another language id on the Judge0-compatible API
   */
  public RuntimeSpec withJudge0Id(Integer newJudge0Id) {
    return new RuntimeSpec(name, aliases, version, image, file, compile, run, compileTimeoutMs, tmpfsExec,
      ociRuntime, newJudge0Id);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("name", name)
      .put("aliases", new JsonArray(aliases))
      .put("version", version)
      .put("image", image)
      .put("file", file)
      .put("run", run)
      .put("compileTimeoutMs", compileTimeoutMs)
      .put("tmpfsExec", tmpfsExec);
    if (compile != null) {
      json.put("compile", compile);
    }
    if (ociRuntime != null) {
      json.put("ociRuntime", ociRuntime);
    }
    if (judge0Id != null) {
      json.put("judge0Id", judge0Id);
    }
    return json;
  }

  public static RuntimeSpec fromJson(JsonObject json) {
    return new RuntimeSpec(
      json.getString("name"),
      json.getJsonArray("aliases", new JsonArray()).stream().map(String::valueOf).toList(),
      json.getString("version", "unknown"),
      json.getString("image"),
      json.getString("file"),
      json.getString("compile"),
      json.getString("run"),
      json.getLong("compileTimeoutMs", DEFAULT_COMPILE_TIMEOUT_MS),
      json.getBoolean("tmpfsExec", false),
      json.getString("ociRuntime"),
      json.getInteger("judge0Id"));
  }
}
