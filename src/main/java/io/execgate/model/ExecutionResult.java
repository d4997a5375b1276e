package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * The state of one execution as clients read it: while it lives only {@code id}, {@code status} and
 * the request's identity are set; once final, the exit code, output and timings too.
 *
 * @param id              the execution id
 * @param status          its status
 * @param exitCode        the program's exit code, or {@code null}
 * @param signal          the signal that ended the program (e.g. {@code SIGKILL}), or {@code null}
 * @param stdout          standard output decoded as UTF-8, up to the cap
 * @param stderr          standard error decoded as UTF-8, up to the cap
 * @param stdoutTruncated whether stdout passed its cap
 * @param stderrTruncated whether stderr passed its cap
 * @param image           the image it ran in
 * @param language        the runtime's name
 * @param durationMs      wall time from the program's start to its end
 * @param queuedMs        time from submit until the container was being created
 * @param usage           resources consumed
 * @param message         what went wrong, for {@code error} (and a short explanation for other statuses)
 * @param submittedAt     epoch milliseconds of the submit
 * @param compile         the compile step of a compiled runtime, or {@code null}; the other components
 *                        describe the run step, which a failed compile step skips
 * @param worker          in a cluster, the instance id of the worker node that runs it; {@code null} otherwise
 * @param owner           the id of the API key that submitted it ({@code anonymous} on an open gateway and
 *                        for the in-process client); only that key, or an admin, may see it
 * @param retention       what of the output the record does not hold (never {@code null})
 * @param judge           the verdicts of an execution with {@code tests}, or {@code null}
 * @param files           the files the program left in {@code out/}, or {@code null} when it made no
 *                        {@code out/} directory (or the run step did not end)
 * @param outputs         the rich results of a stateful Python cell (figures, the last expression's
 *                        representations), or {@code null} when it made none
 */
public record ExecutionResult(String id, ExecutionStatus status, Integer exitCode, String signal, String stdout,
                              String stderr, boolean stdoutTruncated, boolean stderrTruncated, String image,
                              String language, Long durationMs, Long queuedMs, Usage usage, String message,
                              long submittedAt, StageResult compile, String worker, String owner,
                              OutputRetention retention, JudgeReport judge, OutputFiles files,
                              DisplayOutputs outputs) {

  public ExecutionResult {
    retention = retention == null ? OutputRetention.COMPLETE : retention;
  }

  /**
   * A result without rich outputs.
   */
  public ExecutionResult(String id, ExecutionStatus status, Integer exitCode, String signal, String stdout,
                         String stderr, boolean stdoutTruncated, boolean stderrTruncated, String image,
                         String language, Long durationMs, Long queuedMs, Usage usage, String message,
                         long submittedAt, StageResult compile, String worker, String owner,
                         OutputRetention retention, JudgeReport judge, OutputFiles files) {
    this(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated, image, language, durationMs,
      queuedMs, usage, message, submittedAt, compile, worker, owner, retention, judge, files, null);
  }

  /**
   * A result without test cases.
   */
  public ExecutionResult(String id, ExecutionStatus status, Integer exitCode, String signal, String stdout,
                         String stderr, boolean stdoutTruncated, boolean stderrTruncated, String image,
                         String language, Long durationMs, Long queuedMs, Usage usage, String message,
                         long submittedAt, StageResult compile, String worker, String owner,
                         OutputRetention retention) {
    this(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated, image, language, durationMs,
      queuedMs, usage, message, submittedAt, compile, worker, owner, retention, null, null);
  }

  /**
   * A result whose record holds all its output.
   */
  public ExecutionResult(String id, ExecutionStatus status, Integer exitCode, String signal, String stdout,
                         String stderr, boolean stdoutTruncated, boolean stderrTruncated, String image,
                         String language, Long durationMs, Long queuedMs, Usage usage, String message,
                         long submittedAt, StageResult compile, String worker, String owner) {
    this(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated, image, language, durationMs,
      queuedMs, usage, message, submittedAt, compile, worker, owner, OutputRetention.COMPLETE);
  }

  /**
   * A result that names no owner.
   */
  public ExecutionResult(String id, ExecutionStatus status, Integer exitCode, String signal, String stdout,
                         String stderr, boolean stdoutTruncated, boolean stderrTruncated, String image,
                         String language, Long durationMs, Long queuedMs, Usage usage, String message,
                         long submittedAt, StageResult compile, String worker) {
    this(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated, image, language, durationMs,
      queuedMs, usage, message, submittedAt, compile, worker, null, OutputRetention.COMPLETE);
  }

  /**
   * A result that names no worker.
   */
  public ExecutionResult(String id, ExecutionStatus status, Integer exitCode, String signal, String stdout,
                         String stderr, boolean stdoutTruncated, boolean stderrTruncated, String image,
                         String language, Long durationMs, Long queuedMs, Usage usage, String message,
                         long submittedAt, StageResult compile) {
    this(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated, image, language, durationMs,
      queuedMs, usage, message, submittedAt, compile, null);
  }

  /**
   * A result without a compile step.
   */
  public ExecutionResult(String id, ExecutionStatus status, Integer exitCode, String signal, String stdout,
                         String stderr, boolean stdoutTruncated, boolean stderrTruncated, String image,
                         String language, Long durationMs, Long queuedMs, Usage usage, String message,
                         long submittedAt) {
    this(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated, image, language, durationMs,
      queuedMs, usage, message, submittedAt, null);
  }

  /**
   * @return a live record of a just-submitted execution
   */
  public static ExecutionResult submitted(ExecutionJob job) {
    return new ExecutionResult(job.id(), ExecutionStatus.QUEUED, null, null, null, null, false, false,
      job.image(), job.runtime().name(), null, null, null, null, job.submittedAt(), null, null, job.owner());
  }

  /**
   * @return the same result with the verdicts of its tests
   */
  public ExecutionResult withJudge(JudgeReport newJudge) {
    return new ExecutionResult(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt, compile, worker, owner, retention, newJudge,
      files, outputs);
  }

  /**
   * @return the same result with the files the program left in {@code out/}
   */
  public ExecutionResult withFiles(OutputFiles newFiles) {
    return new ExecutionResult(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt, compile, worker, owner, retention, judge,
      newFiles, outputs);
  }

  /**
   * @return the same result with the rich outputs of a stateful cell
   */
  public ExecutionResult withOutputs(DisplayOutputs newOutputs) {
    return new ExecutionResult(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt, compile, worker, owner, retention, judge,
      files, newOutputs);
  }

  public ExecutionResult withStatus(ExecutionStatus newStatus) {
    return new ExecutionResult(id, newStatus, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt, compile, worker, owner, retention, judge, files, outputs);
  }

  /**
   * @return the same result, run by the worker node with instance id {@code worker}
   */
  public ExecutionResult withWorker(String worker) {
    return new ExecutionResult(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt, compile, worker, owner, retention, judge, files, outputs);
  }

  /**
   * @return the same result, owned by the key {@code owner}
   */
  public ExecutionResult withOwner(String owner) {
    return new ExecutionResult(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt, compile, worker, owner, retention, judge, files, outputs);
  }

  /**
   * @return the same result without its output, as carried by the {@code exit} frame: its rich
   *   outputs went as {@code display} frames before it, so only {@code outputsTruncated} stays
   */
  public ExecutionResult withoutOutput() {
    return new ExecutionResult(id, status, exitCode, signal, null, null, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt,
      compile == null ? null : compile.withoutOutput(), worker, owner, retention,
      judge == null ? null : judge.withoutOutput(), files, outputs == null ? null : outputs.withoutItems());
  }

  /**
   * @return the same result with the given output (the compile step's included, when there is one)
   */
  public ExecutionResult withOutput(String stdout, String stderr, String compileStdout, String compileStderr) {
    return new ExecutionResult(id, status, exitCode, signal, stdout, stderr, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt,
      compile == null ? null : compile.withOutput(compileStdout, compileStderr), worker, owner, retention, judge, files, outputs);
  }

  /**
   * @return the same result, its output evicted from the record: the output (files and rich outputs
   *   included) is gone and
   *   the record says so
   */
  public ExecutionResult withOutputEvicted() {
    return new ExecutionResult(id, status, exitCode, signal, null, null, stdoutTruncated, stderrTruncated,
      image, language, durationMs, queuedMs, usage, message, submittedAt,
      compile == null ? null : compile.withoutOutput(), worker, owner, retention.withEvicted(),
      judge == null ? null : judge.withoutOutput(), null, null);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("status", status.id())
      .put("image", image)
      .put("language", language)
      .put("submittedAt", submittedAt);
    if (status.isFinal()) {
      json.put("exitCode", exitCode)
        .put("signal", signal)
        .put("stdoutTruncated", stdoutTruncated)
        .put("stderrTruncated", stderrTruncated)
        .put("durationMs", durationMs)
        .put("queuedMs", queuedMs)
        .put("usage", usage == null ? null : usage.toJson());
      if (stdout != null) {
        json.put("stdout", stdout);
      }
      if (stderr != null) {
        json.put("stderr", stderr);
      }
      if (compile != null) {
        json.put("compile", compile.toJson());
      }
      retention.writeTo(json);
      if (judge != null) {
        judge.writeTo(json);
      }
      if (files != null) {
        files.writeTo(json);
      }
      if (outputs != null) {
        outputs.writeTo(json);
      }
    }
    if (message != null) {
      json.put("message", message);
    }
    if (worker != null) {
      json.put("worker", worker);
    }
    if (owner != null) {
      json.put("owner", owner);
    }
    return json;
  }

  public static ExecutionResult fromJson(JsonObject json) {
    return new ExecutionResult(
      json.getString("id"),
      ExecutionStatus.of(json.getString("status")),
      json.getInteger("exitCode"),
      json.getString("signal"),
      json.getString("stdout"),
      json.getString("stderr"),
      json.getBoolean("stdoutTruncated", false),
      json.getBoolean("stderrTruncated", false),
      json.getString("image"),
      json.getString("language"),
      json.getLong("durationMs"),
      json.getLong("queuedMs"),
      json.containsKey("usage") ? Usage.fromJson(json.getJsonObject("usage")) : null,
      json.getString("message"),
      json.getLong("submittedAt", 0L),
      StageResult.fromJson(json.getJsonObject("compile")),
      json.getString("worker"),
      json.getString("owner"),
      OutputRetention.fromJson(json),
      JudgeReport.readFrom(json),
      OutputFiles.fromJson(json),
      DisplayOutputs.readFrom(json));
  }
}
