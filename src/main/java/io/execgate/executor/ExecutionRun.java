package io.execgate.executor;

import io.execgate.docker.AttachedOutput;
import io.execgate.docker.ContainerState;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.executor.launcher.JobScript;
import io.execgate.executor.launcher.ProgramOutput;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.ImageInfo;
import io.execgate.stream.FrameLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * One execution, from admission to removal of its container, through the {@link RunPhase}s. Its
 * record is written by a {@link RunRecord}, the clients' controls are taken by a {@link RunControl}, its
 * output is read by a {@link RunOutput} and its program killed by a {@link RunKill}.
 * Lives on its executor verticle's context: every field is touched only there, so there are no locks.
 */
final class ExecutionRun implements RunControl.Target {

  private static final Logger log = LoggerFactory.getLogger(ExecutionRun.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ExecutorContext ec;
  private final Context context;
  private final ExecutionJob job;
  /** The API key the execution is charged to: its record's output counts against that key's budget. */
  private final String owner;
  private final String nonce;
  private final FrameLog frames;
  private final Promise<Void> programEnded = Promise.promise();
  private final Promise<Void> containerGone = Promise.promise();
  private final RunRecord record;
  private final RunControl control;
  private final SlotWait slot;

  private RunPhase phase = RunPhase.IMAGE;
  /**
   * The usable image: its local name, and the id the image cache checked (the container is created from
   * it, never from the name). Known from the start when the cache confirmed it a moment ago.
   */
  private ImageInfo image;
  /** The container, once the execution is about to start. */
  private Sandbox sandbox;
  private ProgramOutput programOutput;
  /** The output as wired, once both streams are attached. */
  private RunOutput runOutput;
  private final RunKill kills;
  private boolean cancelRequested;
  private final RunDeadline deadline;
  private long startNanos;
  private long compileEndNanos;
  private long endNanos;
  private Long queuedMs;
  /** The test cases of a judged run, or {@code null}. */
  private final JudgeRun judge;

  ExecutionRun(ExecutorContext ec, Context context, ExecutionJob job, String owner) {
    this.ec = ec;
    this.context = context;
    this.job = job;
    this.owner = owner;
    byte[] n = new byte[16];
    RANDOM.nextBytes(n);
    this.nonce = HexFormat.of().formatHex(n);
    this.frames = new FrameLog(ec.vertx().eventBus(), ec.addresses().output(job.id()), ec.addresses().replay(job.id()),
      job.submittedAt(), ec.options().getExecutor().getStreamRetainBytes());
    this.record = new RunRecord(ec, job, frames);
    this.control = new RunControl(ec, context, job, this);
    this.slot = new SlotWait(ec, job.id());
    this.kills = new RunKill(job.id(), () -> sandbox, programEnded);
    this.image = ec.images().fresh(job.image());
    this.judge = job.tests() == null ? null : new JudgeRun(job, frames, test -> control.stdin().stopTest(test),
      () -> kill(null), ec.options().getExecutor().getOutputRetention().getMaxStreamBytes(),
      ec.options().getExecutor().getMaxLimits().timeoutMs());
    this.deadline = new RunDeadline(ec.vertx(), () -> {
      if (!programEnded.future().isComplete()) {
        kill(ExecutionStatus.TIMEOUT);
      }
    });
  }

  /** @return the run's frames, replayable until closed (the verticle retires them after the run) */
  FrameLog frameLog() {
    return frames;
  }

  /** Registers the control and replay addresses; the run is addressable once this completes. */
  Future<Void> register() {
    return Future.all(control.register(), frames.open()).mapEmpty();
  }

  /**
   * Answers {@code executor.run}: a run whose image was confirmed a moment ago needs nothing before its
   * slot, so its answer asks for the slot too (the scheduler's grant answers it).
   */
  void answer(Message<?> run) {
    if (image != null) {
      slot.asked(run.replyAndRequest(Boolean.TRUE, SlotWait.delivery(ec)));
    } else {
      run.reply(null);
    }
  }

  /**
   * Runs the execution to its final state.
   *
   * @return the final result, once it is recorded and published (the container may still be
   *   being removed; {@link #run()} returns after cleanup)
   */
  Future<ExecutionResult> run() {
    frames.accepted(job.id());
    frames.status(ExecutionStatus.QUEUED);
    record.submitted();
    return ensureImage()
      .compose(v -> acquireSlot())
      .compose(v -> startContainer())
      .compose(v -> programEnded.future())
      .compose(v -> {
        phase = RunPhase.ENDING;
        return engineVerdict();
      })
      .map(this::result)
      .recover(err -> Future.succeededFuture(failure(err)))
      .map(ec.store()::stamped)
      .compose(this::finish)
      .eventually(this::cleanup);
  }

  private Future<Void> ensureImage() {
    Future<ImageInfo> usable = image != null ? Future.succeededFuture(image)
      : ImageWait.usable(ec, job.id(), job.image(), () -> record.status(ExecutionStatus.PULLING), programEnded.future());
    return usable.andThen(ar -> image = ar.result()).mapEmpty();
  }

  private Future<Void> acquireSlot() {
    checkCancelled();
    if (record.current().status() != ExecutionStatus.QUEUED) {
      record.status(ExecutionStatus.QUEUED);
    }
    phase = RunPhase.SLOT;
    return slot.acquire().andThen(ar -> phase = RunPhase.STARTING);
  }

  private Future<Void> startContainer() {
    checkCancelled();
    queuedMs = frames.elapsed();
    // stored before any container exists: in a cluster, a lost worker's executions still queued (by
    // their record) never ran, and go to another worker
    Future<Void> recorded = record.status(ExecutionStatus.STARTING)
      .otherwise(err -> {
        log.warn("[{}] storing the starting record failed: {}", job.id(), err.getMessage());
        return null;
      });
    sandbox = new Sandbox(ec, context, job, image.localImage(), image.id());
    return recorded.compose(v -> sandbox.start(this::sendProgram, this::checkCancelled))
      .map(v -> {
        startNanos = System.nanoTime();
        checkCancelled();
        phase = RunPhase.RUNNING;
        record.status(ExecutionStatus.RUNNING);
        if (job.runtime().compile() != null) {
          deadline.arm(job.runtime().compileTimeoutMs());
        } else {
          runStarted();
        }
        return null;
      });
  }

  /**
   * Both streams are attached: wire the output, then send the program (and any early stdin).
   */
  private void sendProgram() {
    wireOutput();
    control.stdin().attached(sandbox.stdin(), JobScript.payload(job, nonce));
  }

  private void wireOutput() {
    RunOutput wired = new RunOutput(ec, job, owner, nonce, frames, judge, () -> kill(ExecutionStatus.OUTPUT_LIMIT),
      this::compiled, this::ended);
    programOutput = wired.program();
    runOutput = wired;
    wired.attach(output(), control.outputPaused());
  }

  private void compiled(int exitCode) {
    compileEndNanos = System.nanoTime();
    if (exitCode == 0 && kills.reason() == null) {
      runStarted();
    }
  }

  /**
   * @param streamEnded whether the output stream ended (the container is gone) rather than the
   *   program's end record arrived
   */
  private void ended(boolean streamEnded) {
    markEnded();
    if (streamEnded) {
      containerGone.tryComplete();
    }
    programEnded.tryComplete();
  }

  /**
   * The run step starts: its deadline is the execution's, or for a judged run the suite's (each
   * test's own deadline is kept inside the sandbox).
   */
  private void runStarted() {
    if (judge == null) {
      deadline.armRun(job.limits().timeoutMs());
    } else {
      judge.started();
      deadline.armRun(JudgeRun.suiteDeadlineMs(job, ec.options().getExecutor().getMaxLimits().timeoutMs()));
    }
  }

  private void markEnded() {
    if (endNanos == 0) {
      endNanos = System.nanoTime();
    }
  }

  /**
   * The engine's view of how the container ended. A warm container whose program ended normally
   * needs none: its end record says everything.
   */
  private Future<ContainerState> engineVerdict() {
    Integer exit = programOutput == null ? null : programOutput.exitCode();
    Long oomKills = programOutput == null ? null : programOutput.oomKills();
    // a judged run's OOM kills are its tests' (each test's verdict says so), not the launcher's
    boolean endedNormally = kills.reason() == null && exit != null && exit < 128 && oomKills != null
      && (oomKills == 0 || judge != null);
    return kills.noticed(sandbox.verdict(endedNormally, containerGone.future(), this::kill), frames);
  }

  /** Kills the container ({@link RunKill}); the first reason given becomes the final status. */
  private void kill(ExecutionStatus reason) {
    kills.kill(reason);
  }

  private ExecutionResult result(ContainerState state) {
    markEnded();
    ExecutionResult result = outcome().ended(state, kills.reason(), cancelRequested, kills.issued(),
      runOutput != null && runOutput.broken());
    return judge == null ? result : judge.apply(result, programOutput);
  }

  private RunOutcome outcome() {
    return new RunOutcome(job, image == null ? null : image.localImage(), programOutput, startNanos, compileEndNanos, endNanos, queuedMs);
  }

  private ExecutionResult failure(Throwable err) {
    markEnded();
    if (cancelRequested) {
      return judged(outcome().failed(ExecutionStatus.CANCELLED, "cancelled"));
    }
    GatewayException ge = Replies.toGatewayException(err);
    if (ge.code() == ErrorCode.INTERNAL) {
      about(Level.ERROR).setCause(err).log("execution failed");
    } else {
      about(Level.INFO).log("execution ended in error: {}", ge.getMessage());
    }
    return judged(outcome().failed(ExecutionStatus.ERROR, ge.getMessage()));
  }

  private ExecutionResult judged(ExecutionResult result) {
    return judge == null ? result : judge.apply(result, programOutput);
  }

  private Future<ExecutionResult> finish(ExecutionResult result) {
    phase = RunPhase.FINISHING;
    return record.writeFinal(result, programOutput == null ? null : programOutput.record())
      .otherwise(err -> {
        about(Level.ERROR).setCause(err).log("storing the final record failed");
        return null;
      })
      .map(v -> {
        // counted before it is announced: whoever receives the result finds it in the meters
        GatewayMetrics.of(ec.vertx(), ec.addresses().prefix()).executionFinished(result.status().id(),
          warm() ? "warm" : sandbox != null && sandbox.session() ? "session"
            : containerId() != null ? "cold" : "none", result.durationMs(), result.queuedMs());
        if (result.outputs() != null) {
          result.outputs().items().forEach(frames::display);
        }
        frames.exit(result);
        control.finished(result);
        about(Level.INFO).log("{} exit={} in {} ms (queued {} ms, answered at {} ms, {})", result.status().id(),
          result.exitCode(), result.durationMs(), result.queuedMs(), frames.elapsed(), warm() ? "warm"
            : sandbox != null && sandbox.session() ? "session" : "cold");
        return result;
      });
  }

  private Future<Void> cleanup() {
    deadline.cancel();
    if (programOutput != null && !record.isFinal()) {
      // never written: nothing to keep charged
      programOutput.record().release();
    }
    if (sandbox != null) {
      sandbox.closeStreams();
    }
    Future<Void> unregister = control.close();
    // a session's sandbox stays, without what the program left running: a launcher that wrote its end
    // record killed that itself; otherwise (killed, died) it is killed here
    boolean clean = programOutput != null && programOutput.exitCode() != null && !kills.issued();
    Future<Void> removed = containerId() == null ? Future.succeededFuture()
      : sandbox.session() ? (clean ? Future.succeededFuture() : sandbox.killProgram().<Void>mapEmpty().otherwiseEmpty())
      : ec.remover().remove(containerId());
    return Future.join(unregister, removed).transform(ar -> slot.release());
  }

  @Override
  public ExecutionResult record() {
    return record.current();
  }

  @Override
  public void cancel() {
    cancelRequested = true;
    kill(ExecutionStatus.CANCELLED);
    if (phase == RunPhase.SLOT) {
      slot.leave();
    }
  }

  @Override
  public void kill() {
    kill(null);
  }

  @Override
  public boolean killIssued() {
    return kills.issued();
  }

  @Override
  public boolean attached() {
    return programOutput != null;
  }

  @Override
  public boolean programEnded() {
    return programEnded.future().isComplete();
  }

  /** @return a log event carrying this execution's id as a key-value pair */
  private LoggingEventBuilder about(Level level) {
    return log.atLevel(level).addKeyValue("execution", job.id());
  }

  @Override
  public String containerId() {
    return sandbox == null ? null : sandbox.containerId();
  }

  @Override
  public AttachedOutput output() {
    return sandbox == null ? null : sandbox.output();
  }

  private boolean warm() {
    return sandbox != null && sandbox.warm();
  }

  private void checkCancelled() {
    if (cancelRequested) {
      throw new GatewayException(ErrorCode.CANCELLED, "cancelled");
    }
  }

  /** Cancels the run because the gateway is stopping. */
  void shutdown() {
    if (!record.isFinal()) {
      cancelRequested = true;
      kill(ExecutionStatus.CANCELLED);
    }
  }
}
