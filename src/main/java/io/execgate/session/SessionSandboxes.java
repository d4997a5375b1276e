package io.execgate.session;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.ImageChannel;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.ContainerSpec;
import io.execgate.docker.SessionContainers;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.executor.launcher.JobScript;
import io.execgate.model.ResourceLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes a session's sandbox: the image the image cache ensured, the executions' locked-down profile
 * labelled with the instance (so the sweeps see it), PID 1 only waiting ({@link JobScript#SESSION_INIT});
 * for a stateful session, the Python kernel installed in it, and restarted on request.
 */
final class SessionSandboxes {

  /** How long a kernel install or restart may take in the sandbox. */
  private static final long COMMAND_TIMEOUT_MS = 15_000;

  private final Vertx vertx;
  private final GatewayOptions options;
  private final ContainerRuntime runtime;
  private final Addresses addresses;
  private final byte[] kernelScript = PythonKernel.script();

  SessionSandboxes(Vertx vertx, GatewayOptions options, ContainerRuntime runtime, Addresses addresses) {
    this.vertx = vertx;
    this.options = options;
    this.runtime = runtime;
    this.addresses = addresses;
  }

  /**
   * Inspects a session's sandbox.
   *
   * @return why it is gone ({@code oom_killed}, {@code container_exited}), or {@code null} when it runs or
   *   the engine could not tell (never a failed future)
   */
  Future<String> deathReason(String container) {
    return runtime.inspect(container).transform(ar -> Future.succeededFuture(ar.failed()
      ? Replies.toGatewayException(ar.cause()).code() == ErrorCode.NOT_FOUND ? "container_exited" : null
      : ar.result().running() ? null : ar.result().oomKilled() ? "oom_killed" : "container_exited"));
  }

  /**
   * Creates and starts the session's container (and installs the kernel of a stateful session). On
   * failure, the container (if created) is the caller's to remove.
   */
  Future<Void> create(Session s) {
    return new ImageChannel(vertx.eventBus(), addresses).usable(s.spec.image(), options.getImages().ensureDeadlineMs())
      .compose(image -> runtime.create(containerSpec(s, image.id())))
      .compose(containerId -> runtime.start(s.container))
      .compose(v -> s.spec.stateful() ? installKernel(s) : Future.succeededFuture());
  }

  private ContainerSpec containerSpec(Session s, String imageId) {
    var executor = options.getExecutor();
    ResourceLimits limits = s.spec.limits();
    List<String> env = new ArrayList<>(List.of("HOME=/tmp"));
    return new ContainerSpec(s.container, imageId, JobScript.SESSION_INIT,
      ContainerLabels.of(options.getInstanceId(), SessionContainers.label(s.id)),
      executor.getUid(), (long) limits.memoryMb() << 20, Math.round(limits.cpus() * 1e9), limits.pids(),
      (long) executor.getTmpfsMb() << 20, s.spec.runtime().tmpfsExec(), executor.getNofile(),
      s.spec.runtime().ociRuntime() != null ? s.spec.runtime().ociRuntime() : options.getDocker().getOciRuntime(),
      env, false);
  }

  /**
   * Writes the kernel script into a stateful session's sandbox, through its stdin (the root is
   * read-only, and files never go through the host).
   */
  private Future<Void> installKernel(Session s) {
    byte[] script = kernelScript;
    return SandboxCommand.run(runtime, s.container, options.getExecutor().getUid(), PythonKernel.INSTALL,
        List.of(String.valueOf(script.length)), script, 4096, COMMAND_TIMEOUT_MS)
      .compose(out -> out.stderr().isEmpty() ? Future.succeededFuture() : Future.failedFuture(new GatewayException(
        ErrorCode.INTERNAL, "installing the Python kernel failed: " + out.stderr().strip())));
  }

  /** Kills a stateful session's interpreter: the next cell starts a fresh one. */
  Future<Void> restartKernel(Session s) {
    return SandboxCommand.run(runtime, s.container, options.getExecutor().getUid(), PythonKernel.RESTART, List.of(),
        null, 4096, COMMAND_TIMEOUT_MS)
      .mapEmpty();
  }
}
