package io.execgate.executor;

import io.execgate.docker.AttachedOutput;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerSpec;
import io.execgate.docker.ContainerState;
import io.execgate.docker.StdinSink;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.PoolKey;
import io.execgate.model.ResourceLimits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One execution, from admission to removal of its container. Lives on its executor verticle's
 * context: every field is touched only there, so there are no locks.
 */
final class ExecutionRun {

  private static final Logger log = LoggerFactory.getLogger(ExecutionRun.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** After both end records, how long the container may take to exit before it is killed. */
  private static final long EXIT_GRACE_MS = 1_000;
  /** After a kill, how long the engine may take to close the output stream. */
  private static final long KILL_GRACE_MS = 5_000;
  /** Interactive stdin not yet taken by the program, beyond which more is refused. */
  static final long MAX_PENDING_STDIN = 1 << 20;

  private final ExecutorContext ec;
  private final Context context;
  private final ExecutionJob job;
  private final ResourceLimits limits;
  private final String nonce;
  private final FrameLog frames;
  private final Promise<Void> programEnded = Promise.promise();
  private final Promise<Void> containerGone = Promise.promise();
  private final List<Message<?>> cancelWaiters = new ArrayList<>();

  private ExecutionResult record;
  /** The local image the container is created from, once the image cache made it usable. */
  private String image;
  private Future<Void> writes = Future.succeededFuture();
  private MessageConsumer<Control> control;
  private String containerId;
  private AttachedOutput output;
  private StdinSink stdin;
  private ProgramOutput programOutput;
  private ExecutionStatus killReason;
  private boolean killIssued;
  private boolean cancelRequested;
  private boolean waitingForSlot;
  private boolean warm;
  private boolean outputPaused;
  /** Interactive stdin sent before the container's stdin was attached; whether stdin_close came. */
  private final List<byte[]> earlyStdin = new ArrayList<>();
  private long earlyStdinBytes;
  private boolean stdinClosed;
  private long deadlineTimer = -1;
  private long startNanos;
  private long compileEndNanos;
  private long endNanos;
  private Long queuedMs;

  ExecutionRun(ExecutorContext ec, Context context, ExecutionJob job) {
    this.ec = ec;
    this.context = context;
    this.job = job;
    this.limits = job.limits();
    byte[] n = new byte[16];
    RANDOM.nextBytes(n);
    this.nonce = HexFormat.of().formatHex(n);
    this.record = ExecutionResult.submitted(job);
    this.frames = new FrameLog(ec.vertx().eventBus(), ec.addresses().output(job.id()), ec.addresses().replay(job.id()),
      job.submittedAt(), ec.options().getExecutor().getStreamRetainBytes());
  }

  String id() {
    return job.id();
  }

  /**
   * @return the run's frames, replayable until closed (the verticle retires them after the run)
   */
  FrameLog frameLog() {
    return frames;
  }

  /**
   * Registers the control and replay addresses; the run is addressable once this completes.
   */
  Future<Void> register() {
    control = ec.vertx().eventBus().consumer(ec.addresses().control(job.id()), this::onControl);
    return Future.all(control.completion(), frames.open()).mapEmpty();
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
    write(record);
    return ensureImage()
      .compose(v -> acquireSlot())
      .compose(v -> startContainer())
      .compose(v -> programEnded.future())
      .compose(v -> engineVerdict())
      .map(this::result)
      .recover(err -> Future.succeededFuture(failure(err)))
      .map(ec.store()::stamped)
      .compose(this::finish)
      .eventually(this::cleanup);
  }

  private Future<Void> ensureImage() {
    return ImageWait.usable(ec, job.image(), () -> setStatus(ExecutionStatus.PULLING), programEnded.future())
      .map(local -> {
        image = local;
        return null;
      });
  }

  private Future<Void> acquireSlot() {
    checkCancelled();
    if (record.status() != ExecutionStatus.QUEUED) {
      setStatus(ExecutionStatus.QUEUED);
    }
    waitingForSlot = true;
    long maxWait = ec.options().getExecutor().getMaxQueueWaitMs();
    return ec.vertx().eventBus()
      .request(ec.addresses().schedulerAcquire(), job.id(), new DeliveryOptions().setSendTimeout(maxWait))
      .transform(ar -> {
        waitingForSlot = false;
        if (ar.succeeded()) {
          return Future.succeededFuture();
        }
        if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
          return Future.failedFuture(new GatewayException(ErrorCode.CAPACITY_EXHAUSTED,
            "no run slot became free within " + maxWait + " ms"));
        }
        return Future.failedFuture(ar.cause());
      });
  }

  private Future<Void> startContainer() {
    checkCancelled();
    queuedMs = frames.elapsed();
    // stored before any container exists: in a cluster, a lost worker's executions still queued (by
    // their record) never ran, and go to another worker
    Future<Void> recorded = setStatus(ExecutionStatus.STARTING)
      .otherwise(err -> {
        log.warn("[{}] storing the starting record failed: {}", job.id(), err.getMessage());
        return null;
      });
    Future<String> warmId = !ec.options().getExecutor().getPool().isEnabled() ? recorded.map((String) null)
      : recorded.compose(v -> ec.vertx().eventBus().<String>request(ec.addresses().poolTake(),
        PoolKey.of(job.runtime(), image)).map(m -> m.body()).otherwise((String) null));
    return warmId
      .compose(id -> id == null ? startCold() : startWarm(id).recover(err -> {
        log.warn("[{}] warm container {} unusable ({}); starting cold", job.id(), id, err.getMessage());
        abandon(id);
        return startCold();
      }))
      .map(v -> {
        startNanos = System.nanoTime();
        checkCancelled();
        setStatus(ExecutionStatus.RUNNING);
        long deadline = job.runtime().compile() != null ? job.runtime().compileTimeoutMs() : limits.timeoutMs();
        armDeadline(deadline);
        return null;
      });
  }

  /**
   * Creates, attaches and starts a fresh container; the program is queued on its stdin first.
   */
  private Future<Void> startCold() {
    return ec.runtime().create(spec())
      .compose(id -> {
        containerId = id;
        checkCancelled();
        return attachAndSend();
      })
      .compose(v -> ec.runtime().start(containerId));
  }

  /**
   * Uses a container started ahead of time: it is already blocked in the launcher, so the program
   * starts as soon as it arrives on stdin.
   */
  private Future<Void> startWarm(String id) {
    containerId = id;
    warm = true;
    // named after its execution at once (it was execgate-warm-...); the engine does this while the program runs
    ec.runtime().rename(id, containerName())
      .onFailure(err -> log.debug("[{}] renaming warm container failed: {}", job.id(), err.getMessage()));
    ResourceLimits pooled = ec.options().getExecutor().getLimits();
    Future<Void> limitsApplied = pooled.memoryMb() == limits.memoryMb() && pooled.cpus() == limits.cpus()
      && pooled.pids() == limits.pids()
      ? Future.succeededFuture()
      : ec.runtime().update(id, (long) limits.memoryMb() << 20, Math.round(limits.cpus() * 1e9), limits.pids());
    return limitsApplied.compose(v -> attachAndSend());
  }

  private Future<Void> attachAndSend() {
    return Future.all(ec.runtime().attachOutput(containerId), ec.runtime().attachStdin(containerId))
      .map(all -> {
        output = all.resultAt(0);
        stdin = all.resultAt(1);
        wireOutput();
        stdin.write(JobScript.payload(job, nonce));
        earlyStdin.forEach(stdin::write);
        earlyStdin.clear();
        if (!job.interactive() || stdinClosed) {
          endStdin();
        }
        return null;
      });
  }

  private void abandon(String id) {
    if (output != null) {
      output.close();
      output = null;
    }
    if (stdin != null) {
      stdin.close();
      stdin = null;
    }
    containerId = null;
    warm = false;
    new ContainerRemover(ec.vertx(), ec.runtime()).remove(id);
  }

  private String containerName() {
    return "execgate-" + job.id();
  }

  private ContainerSpec spec() {
    var executor = ec.options().getExecutor();
    return new ContainerSpec(containerName(), image, JobScript.LAUNCHER,
      ContainerLabels.of(ec.options().getInstanceId(), job.id()),
      executor.getUid(), (long) limits.memoryMb() << 20, Math.round(limits.cpus() * 1e9), limits.pids(),
      (long) executor.getTmpfsMb() << 20, job.runtime().tmpfsExec(), executor.getNofile(),
      ec.options().getDocker().getOciRuntime(), List.of("HOME=/tmp"));
  }

  private void wireOutput() {
    boolean compiles = job.runtime().compile() != null;
    programOutput = new ProgramOutput(job.id(), nonce, limits.outputBytes(), compiles, new ProgramOutput.Listener() {
      @Override
      public void text(boolean stderr, String stage, String text) {
        frames.output(stderr, stage, text);
      }

      @Override
      public void truncated(boolean stderr, String stage, long keptBytes) {
        frames.truncated(stderr, stage, keptBytes);
        kill(ExecutionStatus.OUTPUT_LIMIT);
      }

      @Override
      public void compiled(int exitCode) {
        compileEndNanos = System.nanoTime();
        if (exitCode == 0 && killReason == null) {
          armDeadline(limits.timeoutMs());
        }
      }

      @Override
      public void ended() {
        markEnded();
        programEnded.tryComplete();
      }
    });
    output.handler(programOutput::accept);
    if (outputPaused) {
      output.pause();
    }
    output.exceptionHandler(err -> log.debug("[{}] output stream failed: {}", job.id(), err.getMessage()));
    output.endHandler(v -> {
      programOutput.end();
      markEnded();
      containerGone.tryComplete();
      programEnded.tryComplete();
    });
  }

  private void markEnded() {
    if (endNanos == 0) {
      endNanos = System.nanoTime();
    }
  }

  private void armDeadline(long ms) {
    if (deadlineTimer >= 0) {
      ec.vertx().cancelTimer(deadlineTimer);
    }
    deadlineTimer = ec.vertx().setTimer(ms, t -> {
      deadlineTimer = -1;
      if (!programEnded.future().isComplete()) {
        kill(ExecutionStatus.TIMEOUT);
      }
    });
  }

  /**
   * The engine's view of how the container ended. A warm container whose program ended normally
   * needs none: its end record says everything, and the gateway answers without waiting for the
   * container to exit. Kills, missing records and deaths by signal (which may be the OOM killer)
   * wait for the container and ask the engine.
   */
  private Future<ContainerState> engineVerdict() {
    Integer exit = programOutput == null ? null : programOutput.exitCode();
    Long oomKills = programOutput == null ? null : programOutput.oomKills();
    if (warm && killReason == null && exit != null && exit < 128 && oomKills != null && oomKills == 0) {
      return Future.succeededFuture(new ContainerState(true, null, false, null));
    }
    return awaitContainerExit().compose(v -> ec.runtime().inspect(containerId));
  }

  private Future<Void> awaitContainerExit() {
    if (containerGone.future().isComplete()) {
      return Future.succeededFuture();
    }
    // both end records arrived: the launcher is exiting, and the container with it
    return containerGone.future()
      .timeout(EXIT_GRACE_MS, TimeUnit.MILLISECONDS)
      .recover(err -> {
        kill(null);
        return containerGone.future().timeout(KILL_GRACE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty();
      });
  }

  /**
   * Kills the container; the first reason given becomes the final status.
   */
  private void kill(ExecutionStatus reason) {
    if (killReason == null && reason != null && !programEnded.future().isComplete()) {
      killReason = reason;
    }
    if (containerId != null && !killIssued) {
      killIssued = true;
      if (output != null) {
        // whatever a killed program wrote is read, even if its owner paused the output
        output.resume();
      }
      ec.runtime().kill(containerId)
        .onFailure(err -> log.warn("[{}] killing container {} failed: {}", job.id(), containerId, err.getMessage()));
    }
    if (containerId == null || output == null) {
      programEnded.tryComplete();
    }
  }

  private ExecutionResult result(ContainerState state) {
    markEnded();
    return outcome().ended(state, killReason, cancelRequested, killIssued);
  }

  private RunOutcome outcome() {
    return new RunOutcome(job, image, programOutput, startNanos, compileEndNanos, endNanos, queuedMs);
  }

  private ExecutionResult failure(Throwable err) {
    markEnded();
    if (cancelRequested) {
      return outcome().failed(ExecutionStatus.CANCELLED, "cancelled");
    }
    GatewayException ge = Replies.toGatewayException(err);
    if (ge.code() == ErrorCode.INTERNAL) {
      log.error("[{}] execution failed", job.id(), err);
    } else {
      log.info("[{}] execution ended in error: {}", job.id(), ge.getMessage());
    }
    return outcome().failed(ExecutionStatus.ERROR, ge.getMessage());
  }

  private Future<ExecutionResult> finish(ExecutionResult result) {
    record = result;
    return write(result)
      .otherwise(err -> {
        log.error("[{}] storing the final record failed", job.id(), err);
        return null;
      })
      .map(v -> {
        frames.exit(result);
        cancelWaiters.forEach(m -> m.reply(result));
        cancelWaiters.clear();
        GatewayMetrics.of(ec.vertx(), ec.addresses().prefix()).executionFinished(result.status().id(),
          warm ? "warm" : containerId != null ? "cold" : "none", result.durationMs(), result.queuedMs());
        log.info("[{}] {} exit={} in {} ms (queued {} ms, answered at {} ms, {})", job.id(), result.status().id(),
          result.exitCode(), result.durationMs(), result.queuedMs(), frames.elapsed(), warm ? "warm" : "cold");
        return result;
      });
  }

  private Future<Void> cleanup() {
    if (deadlineTimer >= 0) {
      ec.vertx().cancelTimer(deadlineTimer);
    }
    if (output != null) {
      output.close();
    }
    if (stdin != null) {
      stdin.close();
    }
    Future<Void> unregister = control != null ? control.unregister() : Future.succeededFuture();
    Future<Void> removed = containerId == null ? Future.succeededFuture()
      : new ContainerRemover(ec.vertx(), ec.runtime()).remove(containerId);
    return Future.join(unregister, removed)
      .transform(ar -> ec.vertx().eventBus()
        .request(ec.addresses().schedulerRelease(), job.id(), new DeliveryOptions().setSendTimeout(10_000)))
      .transform(ar -> Future.succeededFuture());
  }

  private void onControl(Message<Control> message) {
    Control c = message.body();
    switch (c.type()) {
      case CANCEL -> {
        cancelWaiters.add(message);
        if (record.status().isFinal()) {
          cancelWaiters.remove(message);
          message.reply(record);
          return;
        }
        cancelRequested = true;
        kill(ExecutionStatus.CANCELLED);
        if (waitingForSlot) {
          // leave the queue: the scheduler fails our pending acquire
          ec.vertx().eventBus().request(ec.addresses().schedulerRelease(), job.id());
        }
      }
      case STDIN -> {
        if (!job.interactive() || record.status().isFinal() || stdinClosed) {
          message.fail(ErrorCode.INVALID_REQUEST.number(), "this execution does not take stdin now");
        } else if (stdin == null) {
          // not attached yet: kept (bounded) until the container's stdin is
          byte[] bytes = c.data() == null ? new byte[0] : c.data().getBytes(StandardCharsets.UTF_8);
          if (earlyStdinBytes + bytes.length > MAX_PENDING_STDIN) {
            message.fail(ErrorCode.CAPACITY_EXHAUSTED.number(), "too much stdin before the program started");
          } else {
            earlyStdin.add(bytes);
            earlyStdinBytes += bytes.length;
            message.reply(null);
          }
        } else if (stdin.pendingBytes() > MAX_PENDING_STDIN) {
          message.fail(ErrorCode.CAPACITY_EXHAUSTED.number(), "the program is not reading its stdin");
        } else {
          stdin.write(c.data() == null ? new byte[0] : c.data().getBytes(StandardCharsets.UTF_8));
          message.reply(null);
        }
      }
      case STDIN_CLOSE -> {
        if (stdin != null && job.interactive() && !stdinClosed) {
          endStdin();
        }
        stdinClosed = true;
        message.reply(null);
      }
      case SIGNAL -> signal(message, c.signal());
      case PAUSE, RESUME -> {
        outputPaused = c.type() == Control.Type.PAUSE && !killIssued;
        if (output != null) {
          if (outputPaused) {
            output.pause();
          } else {
            output.resume();
          }
        }
        message.reply(null);
      }
      default -> message.fail(ErrorCode.INVALID_REQUEST.number(), "unknown control " + c.type());
    }
  }

  private void signal(Message<Control> message, String signal) {
    if (!Signals.SENDABLE.contains(signal)) {
      message.fail(ErrorCode.INVALID_REQUEST.number(), "signal must be one of " + Signals.SENDABLE);
    } else if (containerId == null || programOutput == null || record.status().isFinal()) {
      // not yet attached, or over: there is no program to signal (once attached, the engine says whether it runs)
      message.fail(ErrorCode.INVALID_REQUEST.number(), "the program is not running");
    } else if (signal.equals("SIGKILL")) {
      kill(null);
      message.reply(null);
    } else {
      ec.runtime().signal(containerId, ec.options().getExecutor().getUid(), signal.substring(3))
        .onSuccess(v -> message.reply(null))
        .onFailure(err -> Replies.fail(message, err));
    }
  }

  private void endStdin() {
    StdinSink sink = stdin;
    sink.end(() -> context.runOnContext(v -> ec.vertx().setTimer(50, t -> sink.close())));
  }

  private void checkCancelled() {
    if (cancelRequested) {
      throw new GatewayException(ErrorCode.CANCELLED, "cancelled");
    }
  }

  private Future<Void> setStatus(ExecutionStatus status) {
    record = record.withStatus(status);
    Future<Void> written = write(record);
    frames.status(status);
    return written;
  }

  private Future<Void> write(ExecutionResult rec) {
    writes = writes.transform(ar -> ec.store().put(rec));
    return writes;
  }

  /**
   * Cancels the run because the gateway is stopping.
   */
  void shutdown() {
    if (!record.status().isFinal()) {
      cancelRequested = true;
      kill(ExecutionStatus.CANCELLED);
    }
  }
}
