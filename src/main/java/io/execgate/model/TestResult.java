package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * What one test case of a judged execution produced.
 *
 * @param name               the test's name, or {@code null}
 * @param verdict            its verdict
 * @param exitCode           the process's exit code (128 + n for death by signal n), or {@code null} when it did not run
 * @param signal             the signal that ended it, or {@code null}
 * @param stdout             its stdout as the record keeps it (the first bytes, see {@code stdoutOmittedBytes})
 * @param stderr             its stderr, likewise
 * @param stdoutTruncated    whether stdout passed the per-stream cap ({@code output_limit})
 * @param stderrTruncated    whether stderr passed the per-stream cap ({@code output_limit})
 * @param durationMs         wall time, as the gateway saw the test's start and end, or {@code null}
 * @param usage              CPU time of the test, and the sandbox's memory peak so far
 * @param stdoutOmittedBytes bytes of stdout (up to the cap) that the record does not hold
 * @param stderrOmittedBytes the same for stderr
 */
public record TestResult(String name, Verdict verdict, Integer exitCode, String signal, String stdout, String stderr,
                         boolean stdoutTruncated, boolean stderrTruncated, Long durationMs, Usage usage,
                         long stdoutOmittedBytes, long stderrOmittedBytes) {

  /**
   * @return a test that did not run
   */
  public static TestResult skipped(String name) {
    return new TestResult(name, Verdict.SKIPPED, null, null, "", "", false, false, null, Usage.UNKNOWN, 0, 0);
  }

  /**
   * @return the same result without its output, as carried by the {@code test} frame
   */
  public TestResult withoutOutput() {
    return new TestResult(name, verdict, exitCode, signal, null, null, stdoutTruncated, stderrTruncated, durationMs,
      usage, stdoutOmittedBytes, stderrOmittedBytes);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("verdict", verdict.id()).put("exitCode", exitCode)
      .put("signal", signal).put("stdoutTruncated", stdoutTruncated).put("stderrTruncated", stderrTruncated)
      .put("durationMs", durationMs).put("usage", usage == null ? null : usage.toJson());
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

  public static TestResult fromJson(JsonObject json) {
    return new TestResult(json.getString("name"), Verdict.of(json.getString("verdict")), json.getInteger("exitCode"),
      json.getString("signal"), json.getString("stdout"), json.getString("stderr"),
      json.getBoolean("stdoutTruncated", false), json.getBoolean("stderrTruncated", false), json.getLong("durationMs"),
      Usage.fromJson(json.getJsonObject("usage")), json.getLong("stdoutOmittedBytes", 0L),
      json.getLong("stderrOmittedBytes", 0L));
  }
}
