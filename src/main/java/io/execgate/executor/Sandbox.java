package io.execgate.executor;

import io.execgate.bus.PoolChannel;
import io.execgate.docker.AttachedOutput;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerSpec;
import io.execgate.docker.ContainerState;
import io.execgate.docker.SessionContainers;
import io.execgate.docker.StdinSink;
import io.execgate.executor.launcher.JobScript;
import io.execgate.model.ExecutionJob;
import io.execgate.model.PoolKey;
import io.execgate.model.ResourceLimits;
import io.execgate.pool.WarmStreams;
import io.execgate.session.PythonKernel;
import io.execgate.session.SandboxCommand;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One execution's container, from getting it to its streams: a warm container from the pool when
 * one is ready (renamed after the execution, its limits adjusted to the request's), else a fresh
 * one created with the full profile. Lives on its execution's context.
 */
final class Sandbox {

  private static final Logger log = LoggerFactory.getLogger(Sandbox.class);
  /** After both end records, how long the container may take to exit before it is killed. */
  private static final long EXIT_GRACE_MS = 1_000;
  /** After a kill, how long the engine may take to close the output stream. */
  private static final long KILL_GRACE_MS = 5_000;
  /** How long interrupting a stateful session's cell may take, its grace included. */
  private static final long INTERRUPT_TIMEOUT_MS = 10_000;

  private final ExecutorContext ec;
  private final Context context;
  private final ExecutionJob job;
  private final String image;
  private final String imageId;
  private final ResourceLimits limits;
  private String containerId;
  private boolean warm;
  private AttachedOutput output;
  private StdinSink stdin;

  /**
   * @param image   the local image's name, as the image cache made it usable
   * @param imageId the image id the image cache checked: the container is created from it, and a warm
   *                container is taken only if it was created from it too
   */
  Sandbox(ExecutorContext ec, Context context, ExecutionJob job, String image, String imageId) {
    this.ec = ec;
    this.context = context;
    this.job = job;
    this.image = image;
    this.imageId = imageId;
    this.limits = job.limits();
  }

  /**
   * @return the container's id, or {@code null} while there is none
   */
  String containerId() {
    return containerId;
  }

  boolean warm() {
    return warm;
  }

  /**
   * @return stdout and stderr, once attached
   */
  AttachedOutput output() {
    return output;
  }

  /**
   * @return stdin, once attached
   */
  StdinSink stdin() {
    return stdin;
  }

  /**
   * Gets a running container with both streams attached.
   *
   * @param attached       runs once both streams are attached and before the container runs the
   *                       program: wire the output and send the program there
   * @param checkCancelled throws when the execution was cancelled while the container was created
   * @return completes when the program has its container (a fresh one is started)
   */
  Future<Void> start(Runnable attached, Runnable checkCancelled) {
    if (session()) {
      return startInSession(attached);
    }
    Future<String> warmId = ec.options().getExecutor().getPool().isEnabled()
      ? new PoolChannel(ec.vertx().eventBus(), ec.addresses()).take(PoolKey.of(job.runtime(), image), imageId, job.id())
        .otherwise((String) null)
      : Future.succeededFuture(null);
    return warmId.compose(id -> id == null ? startCold(attached, checkCancelled)
      : startWarm(id, attached).recover(err -> {
        log.atWarn().addKeyValue("execution", job.id())
          .log("warm container {} unusable ({}); starting cold", id, err.getMessage());
        abandon(id);
        return startCold(attached, checkCancelled);
      }));
  }

  /**
   * @return whether the execution runs in a session's sandbox, which outlives it
   */
  boolean session() {
    return job.session() != null;
  }

  /**
   * Runs the launcher in the session's running sandbox through the engine's exec: its working
   * directory is the one the session's earlier executions left.
   */
  private Future<Void> startInSession(Runnable attached) {
    containerId = SessionContainers.name(job.session());
    return ec.runtime().exec(containerId, ec.options().getExecutor().getUid(),
        List.of("/bin/sh", "-c", JobScript.SESSION_COMMAND))
      .map(streams -> {
        output = streams.output();
        stdin = streams.stdin();
        attached.run();
        return null;
      });
  }

  /**
   * Kills the program: a fresh container whole, a session's every process of the sandbox user but
   * its init (the session stays usable); a stateful session's cell is interrupted (SIGINT) and its
   * interpreter restarted only when the cell outlives a short grace.
   *
   * @return whether a stateful session's interpreter was restarted
   */
  Future<Boolean> killProgram() {
    if (PythonKernel.isCell(job)) {
      return SandboxCommand.run(ec.runtime(), containerId, ec.options().getExecutor().getUid(), PythonKernel.INTERRUPT,
          List.of(), null, 1024, INTERRUPT_TIMEOUT_MS)
        .map(out -> out.stdout().toString().contains(PythonKernel.RESTARTED));
    }
    if (session()) {
      return ec.runtime().signal(containerId, ec.options().getExecutor().getUid(), "KILL").map(false);
    }
    return ec.runtime().kill(containerId).map(false);
  }

  /**
   * Creates, attaches and starts a fresh container; the program is queued on its stdin first.
   */
  private Future<Void> startCold(Runnable attached, Runnable checkCancelled) {
    return ec.runtime().create(spec())
      .compose(id -> {
        containerId = id;
        checkCancelled.run();
        return attach(attached);
      })
      .compose(v -> ec.runtime().start(containerId));
  }

  /**
   * Uses a container started ahead of time: it is already blocked in the launcher, so the program
   * starts as soon as it arrives on stdin.
   */
  private Future<Void> startWarm(String id, Runnable attached) {
    containerId = id;
    warm = true;
    WarmStreams pre = ec.warm().take(id);
    // named after its execution at once (it was execgate-warm-...); the engine does this while the program runs
    ec.runtime().rename(id, containerName()).onFailure(err -> log.atDebug().addKeyValue("execution", job.id())
      .log("renaming warm container failed: {}", err.getMessage()));
    ResourceLimits pooled = ec.options().getExecutor().getLimits();
    Future<Void> limitsApplied = pooled.memoryMb() == limits.memoryMb() && pooled.cpus() == limits.cpus()
      && pooled.pids() == limits.pids()
      ? Future.succeededFuture()
      : ec.runtime().update(id, (long) limits.memoryMb() << 20, Math.round(limits.cpus() * 1e9), limits.pids());
    if (pre == null || pre.output().isEnded()) {
      if (pre != null) {
        pre.close();
      }
      return limitsApplied.compose(v -> attach(attached));
    }
    return limitsApplied.map(v -> {
      output = pre.output();
      stdin = pre.stdin();
      output.moveTo(context);
      attached.run();
      return null;
    });
  }

  private Future<Void> attach(Runnable attached) {
    return Future.all(ec.runtime().attachOutput(containerId), ec.runtime().attachStdin(containerId))
      .map(all -> {
        output = all.resultAt(0);
        stdin = all.resultAt(1);
        attached.run();
        return null;
      });
  }

  /**
   * Gives up a warm container that could not be used (it is removed).
   */
  private void abandon(String id) {
    closeStreams();
    output = null;
    stdin = null;
    containerId = null;
    warm = false;
    ec.remover().remove(id);
  }

  /**
   * The engine's view of how the container ended. A warm container whose program ended normally
   * needs none: its end record says everything, and the gateway answers without waiting for the
   * container to exit. Kills, missing records and deaths by signal (which may be the OOM killer)
   * wait for the container and ask the engine.
   *
   * @param endedNormally whether the program's end record says it exited by itself, with no OOM kill
   * @param gone          completes when the container's output stream ended (the container is gone)
   * @param kill          kills the container, when it does not exit in time after its end records
   */
  Future<ContainerState> verdict(boolean endedNormally, Future<Void> gone, Runnable kill) {
    if (session()) {
      // the sandbox outlives the program: it says something only when it died with it (OOM)
      Future<ContainerState> running = Future.succeededFuture(new ContainerState(true, null, false, null));
      return endedNormally ? running : awaitExit(gone, kill)
        .compose(v -> ec.runtime().inspect(containerId))
        .map(state -> state.running() ? new ContainerState(true, null, false, null) : state);
    }
    if (warm && endedNormally) {
      return Future.succeededFuture(new ContainerState(true, null, false, null));
    }
    return awaitExit(gone, kill).compose(v -> ec.runtime().inspect(containerId));
  }

  private static Future<Void> awaitExit(Future<Void> gone, Runnable kill) {
    if (gone.isComplete()) {
      return Future.succeededFuture();
    }
    // both end records arrived: the launcher is exiting, and the container with it
    return gone.timeout(EXIT_GRACE_MS, TimeUnit.MILLISECONDS)
      .recover(err -> {
        kill.run();
        return gone.timeout(KILL_GRACE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty();
      });
  }

  void closeStreams() {
    if (output != null) {
      output.close();
    }
    if (stdin != null) {
      stdin.close();
    }
  }

  private String containerName() {
    return "execgate-" + job.id();
  }

  private ContainerSpec spec() {
    var executor = ec.options().getExecutor();
    return new ContainerSpec(containerName(), imageId, JobScript.COMMAND,
      ContainerLabels.of(ec.options().getInstanceId(), job.id()),
      executor.getUid(), (long) limits.memoryMb() << 20, Math.round(limits.cpus() * 1e9), limits.pids(),
      (long) executor.getTmpfsMb() << 20, job.runtime().tmpfsExec(), executor.getNofile(),
      job.runtime().ociRuntime() != null ? job.runtime().ociRuntime() : ec.options().getDocker().getOciRuntime(),
      List.of("HOME=/tmp"));
  }
}
