package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * What one step of an execution produced, for steps other than the run itself: the compile step of
 * a compiled runtime. Its output is capped like the run's, per stream.
 *
 * @param exitCode           the step's exit code, or {@code null} when it did not end by itself
 * @param signal             the signal that ended it (e.g. {@code SIGKILL} at its deadline), or {@code null}
 * @param stdout             its standard output, decoded as UTF-8, up to the cap
 * @param stderr             its standard error, decoded as UTF-8, up to the cap
 * @param stdoutTruncated    whether stdout passed its cap
 * @param stderrTruncated    whether stderr passed its cap
 * @param durationMs         wall time of the step, or {@code null} when unknown
 * @param usage              resources consumed when the step ended (the sandbox's totals at that point)
 * @param stdoutOmittedBytes UTF-8 bytes of its stdout that the record does not hold (past the record's bound)
 * @param stderrOmittedBytes the same for stderr
 */
public record StageResult(Integer exitCode, String signal, String stdout, String stderr, boolean stdoutTruncated,
                          boolean stderrTruncated, Long durationMs, Usage usage, long stdoutOmittedBytes,
                          long stderrOmittedBytes) {

  /**
   * A step whose record holds all its output.
   */
  public StageResult(Integer exitCode, String signal, String stdout, String stderr, boolean stdoutTruncated,
                     boolean stderrTruncated, Long durationMs, Usage usage) {
    this(exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated, durationMs, usage, 0, 0);
  }

  /**
   * @return the same result without its output, as carried by the {@code exit} frame
   */
  public StageResult withoutOutput() {
    return withOutput(null, null);
  }

  /**
   * @return the same result with the given output
   */
  public StageResult withOutput(String newStdout, String newStderr) {
    return new StageResult(exitCode, signal, newStdout, newStderr, stdoutTruncated, stderrTruncated, durationMs, usage,
      stdoutOmittedBytes, stderrOmittedBytes);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("exitCode", exitCode)
      .put("signal", signal)
      .put("stdoutTruncated", stdoutTruncated)
      .put("stderrTruncated", stderrTruncated)
      .put("durationMs", durationMs)
      .put("usage", usage == null ? null : usage.toJson());
    if (stdout != null) {
      json.put("stdout", stdout);
    }
    if (stderr != null) {
      json.put("stderr", stderr);
    }
    if (stdoutOmittedBytes > 0) {
      json.put("stdoutOmittedBytes", stdoutOmittedBytes);
    }
    if (stderrOmittedBytes > 0) {
      json.put("stderrOmittedBytes", stderrOmittedBytes);
    }
    return json;
  }

  public static StageResult fromJson(JsonObject json) {
    return json == null ? null : new StageResult(
      json.getInteger("exitCode"),
      json.getString("signal"),
      json.getString("stdout"),
      json.getString("stderr"),
      json.getBoolean("stdoutTruncated", false),
      json.getBoolean("stderrTruncated", false),
      json.getLong("durationMs"),
      json.getJsonObject("usage") == null ? null : Usage.fromJson(json.getJsonObject("usage")),
      json.getLong("stdoutOmittedBytes", 0L),
      json.getLong("stderrOmittedBytes", 0L));
  }
}
