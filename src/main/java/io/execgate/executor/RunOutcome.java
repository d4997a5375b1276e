package io.execgate.executor;

import io.execgate.docker.ContainerState;
import io.execgate.executor.launcher.JobScript;
import io.execgate.executor.launcher.ProgramOutput;
import io.execgate.executor.launcher.Signals;
import io.execgate.model.DisplayOutputs;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.OutputFiles;
import io.execgate.model.OutputRetention;
import io.execgate.model.ResourceLimits;
import io.execgate.model.StageResult;
import io.execgate.model.Usage;
import io.execgate.session.CellOutputs;
import io.execgate.session.PythonKernel;
import io.execgate.store.OutputPart;

/**
 * Turns what one run observed into its final result: the status, the message, and the two steps.
 * The result's own fields describe the run step; a compiled runtime's compile step goes in
 * {@link ExecutionResult#compile()}. When the run step never started (the compile step failed, or
 * the sandbox ended during it), the run's exit code, signal and duration are {@code null} and its
 * output is empty; the compile step carries what ended it. The texts are not in the result: the
 * store writes them from the run's {@link io.execgate.store.RecordOutput}.
 */
final class RunOutcome {

  private final ExecutionJob job;
  private final String image;
  private final ProgramOutput out;
  private final long startNanos;
  private final long compileEndNanos;
  private final long endNanos;
  private final Long queuedMs;

  /**
   * @param image           the image that ran (after the registry prefix), or {@code null} for the job's
   * @param out             the sandbox's output, or {@code null} when it was never attached
   * @param startNanos      when the container started, or 0 when it did not
   * @param compileEndNanos when the compile step's record arrived, or 0
   * @param endNanos        when the program ended
   */
  RunOutcome(ExecutionJob job, String image, ProgramOutput out, long startNanos, long compileEndNanos, long endNanos,
             Long queuedMs) {
    this.job = job;
    this.image = image != null ? image : job.image();
    this.out = out;
    this.startNanos = startNanos;
    this.compileEndNanos = compileEndNanos;
    this.endNanos = endNanos;
    this.queuedMs = queuedMs;
  }

  private boolean compiles() {
    return job.runtime().compile() != null;
  }

  /**
   * The result of a run whose container ended.
   *
   * @param killReason why the gateway killed the container, or {@code null}
   */
  ExecutionResult ended(ContainerState state, ExecutionStatus killReason, boolean cancelRequested) {
    return ended(state, killReason, cancelRequested, killReason != null);
  }

  /**
   * The result of a run whose container ended.
   *
   * @param killReason why the gateway killed the container, or {@code null}
   * @param killed     whether the gateway killed the container (for a reason or while it was ending)
   */
  ExecutionResult ended(ContainerState state, ExecutionStatus killReason, boolean cancelRequested, boolean killed) {
    return ended(state, killReason, cancelRequested, killed, false);
  }

  /**
   * The result of a run whose container ended.
   * <p>
   * Without an end record, the exit code is the engine's for the container, which is the launcher's
   * (the init process returns its child's status, 128 + n for death by signal n). The program can
   * signal its launcher (same uid), so a launcher that died without reporting the program's end,
   * once it had started it, is the program's failure ({@code failed}, with that signal), never an
   * {@code error}: only the launcher's own setup exits ({@link JobScript#LAUNCHER_EXIT_MIN} to
   * {@link JobScript#LAUNCHER_EXIT_MAX}, before the program started) and the engine's failures are.
   *
   * @param killReason   why the gateway killed the container, or {@code null}
   * @param killed       whether the gateway killed the container (for a reason or while it was ending)
   * @param streamBroken whether the output stream from the engine failed rather than ended
   */
  ExecutionResult ended(ContainerState state, ExecutionStatus killReason, boolean cancelRequested, boolean killed,
                        boolean streamBroken) {
    ResourceLimits limits = job.limits();
    Integer recordedExit = out.exitCode();
    Integer exitCode = recordedExit != null ? recordedExit
      : state.exitCode() == null ? null : (int) (long) state.exitCode();
    Integer compileExit = out.compileExitCode();
    boolean inCompile = compiles() && compileExit == null;
    boolean compileFailed = compileExit != null && compileExit != 0;
    ExecutionStatus status;
    String message = null;
    boolean launcherFailed = false;
    if (killReason != null) {
      status = killReason;
      message = switch (killReason) {
        case TIMEOUT -> inCompile
          ? "the compile step passed its deadline of " + job.runtime().compileTimeoutMs() + " ms and was killed"
          : "the program passed its deadline of " + limits.timeoutMs() + " ms and was killed";
        case OUTPUT_LIMIT -> (inCompile ? "compile output" : "output") + " passed the limit of "
          + limits.outputBytes() + " bytes per stream and " + (inCompile ? "the compile step" : "the program")
          + " was killed";
        case CANCELLED -> "cancelled";
        default -> null;
      };
    } else if (cancelRequested) {
      status = ExecutionStatus.CANCELLED;
      message = "cancelled";
    } else if (state.oomKilled() || (out.oomKills() != null && out.oomKills() > 0)) {
      status = ExecutionStatus.OOM_KILLED;
      message = "the memory limit of " + limits.memoryMb() + " MiB was reached"
        + (inCompile ? " during the compile step" : "");
    } else if (recordedExit == null && !killed && streamBroken) {
      status = ExecutionStatus.ERROR;
      message = "the output stream from the Docker engine broke before the program ended: the Docker engine may "
        + "have restarted";
    } else if (recordedExit == null && compileExit == null && exitCode != null
      && exitCode >= JobScript.LAUNCHER_EXIT_MIN && exitCode <= JobScript.LAUNCHER_EXIT_MAX) {
      status = ExecutionStatus.ERROR;
      launcherFailed = true;
      message = exitCode == JobScript.SEAL_FAILED_EXIT
        ? "the sandbox launcher could not make its shell unreadable to the program (exit " + exitCode + "): the image "
          + "must provide dd and chmod, and its /bin/sh must fit in " + (JobScript.SEAL_DIR_BYTES >> 20) + " MiB"
        : "the sandbox launcher could not set up the program (exit " + exitCode
          + "): the image must provide /bin/sh, dd, chmod and mkdir, and the files must fit in /tmp";
    } else if (exitCode == null) {
      status = ExecutionStatus.ERROR;
      message = "the container ended without an exit code" + (state.error() != null ? ": " + state.error() : "");
    } else if (compileFailed) {
      status = ExecutionStatus.FAILED;
      message = "the compile step failed with exit code " + compileExit + "; the program was not run";
    } else if (recordedExit == null && !killed) {
      // the launcher died before it reported the end; the program (or its compile step) can signal it
      status = ExecutionStatus.FAILED;
      String how = Signals.fromExitCode(exitCode) != null ? "was killed by " + Signals.fromExitCode(exitCode)
        : "exited with " + exitCode;
      message = "the sandbox's launcher " + how + (inCompile ? " during the compile step" : "")
        + " before it reported the program's end (the program can signal it): the exit code is the launcher's";
    } else {
      status = exitCode == 0 ? ExecutionStatus.SUCCEEDED : ExecutionStatus.FAILED;
    }
    if (inCompile || compileFailed) {
      Integer stepExit = compileFailed ? compileExit : exitCode;
      StageResult compile = launcherFailed ? null : compileStage(stepExit);
      return build(status, null, null, null, message, compile);
    }
    return build(status, exitCode, Signals.fromExitCode(exitCode), runDuration(), message,
      compiles() ? compileStage(compileExit) : null);
  }

  /**
   * The result of a run that did not get as far as its container's end (not started, cancelled
   * before it started, an engine failure).
   */
  ExecutionResult failed(ExecutionStatus status, String message) {
    boolean started = startNanos != 0 && out != null;
    boolean inCompile = started && compiles() && out.compileExitCode() == null;
    StageResult compile = started && compiles() ? compileStage(out.compileExitCode()) : null;
    return build(status, null, null, inCompile ? null : runDuration(), message, compile);
  }

  private Long runDuration() {
    if (startNanos == 0) {
      return null;
    }
    long from = compileEndNanos != 0 ? compileEndNanos : startNanos;
    return Math.max(0, (endNanos - from) / 1_000_000);
  }

  private StageResult compileStage(Integer exitCode) {
    long end = compileEndNanos != 0 ? compileEndNanos : endNanos;
    Long duration = startNanos == 0 ? null : Math.max(0, (end - startNanos) / 1_000_000);
    return new StageResult(exitCode, Signals.fromExitCode(exitCode), null, null, out.compileStdoutTruncated(),
      out.compileStderrTruncated(), duration, out.compileUsage(), out.record().omittedBytes(OutputPart.COMPILE_STDOUT),
      out.record().omittedBytes(OutputPart.COMPILE_STDERR));
  }

  /**
   * The result without its texts: they go to the store from {@link ProgramOutput#record()}.
   */
  private ExecutionResult build(ExecutionStatus status, Integer exitCode, String signal, Long durationMs,
                                String message, StageResult compile) {
    // charged to the budget first: a budget that cannot hold them evicts the record's whole output
    // a stateful cell's rich outputs come back through out/, apart from its files
    CellOutputs cell = out == null ? null : PythonKernel.isCell(job) ? CellOutputs.split(out.files()) : null;
    OutputFiles files = out == null ? null : out.record().files(cell == null ? out.files() : cell.files());
    DisplayOutputs outputs = cell == null ? null : out.record().outputs(cell.outputs());
    if (out != null && out.record().evicted()) {
      files = null;
      outputs = null;
    }
    OutputRetention retention = out == null ? OutputRetention.COMPLETE
      : new OutputRetention(out.record().omittedBytes(OutputPart.STDOUT), out.record().omittedBytes(OutputPart.STDERR),
      out.record().evicted());
    return new ExecutionResult(job.id(), status, exitCode, signal, null, null, out != null && out.stdoutTruncated(),
      out != null && out.stderrTruncated(), image, job.runtime().name(), durationMs, queuedMs,
      out == null ? Usage.UNKNOWN : out.usage(), message, job.submittedAt(), compile, null, job.owner(), retention,
      null, files, outputs);
  }
}
