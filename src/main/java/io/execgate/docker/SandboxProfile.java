package io.execgate.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Ulimit;

import java.util.List;
import java.util.Map;

/**
 * The container security profile, applied to every sandbox. Nothing a request says can weaken it:
 * a request only chooses values within the limits.
 */
public final class SandboxProfile {

  /** The sandbox's working place, where the program writes. */
  static final String TMP = "/tmp";
  /**
   * A tmpfs, {@code exec} but {@code nosuid,nodev}, mode 0700 for the sandbox's uid, holding only
   * the launcher's execute-only copy of the image's shell (which makes the launcher unreadable to
   * the program).
   */
  public static final String SEAL_DIR = "/run/execgate";
  /** Its size: room for the image's {@code /bin/sh} (busybox 1.35 static: 1.9 MiB; dash: 123 KiB). */
  public static final long SEAL_DIR_BYTES = 4L << 20;
  /** Size of {@code /dev/shm}: enough for POSIX semaphores and small shared memory, nothing more. */
  public static final long SHM_BYTES = 1L << 20;
  /**
   * The kernel's OOM killer picks the process with the highest score: sandboxes get the highest
   * adjustment there is, so that under host memory pressure they die before the gateway or the
   * engine. Inherited by every process in the container; a program cannot lower it (that needs
   * CAP_SYS_RESOURCE, dropped with all others).
   */
  static final int OOM_SCORE_ADJ = 1000;

  private SandboxProfile() {
  }

  static HostConfig hostConfig(ContainerSpec spec) {
    String tmpfs = "rw,nosuid,nodev," + (spec.tmpfsExec() ? "exec" : "noexec")
      + ",size=" + spec.tmpfsBytes() + ",uid=" + spec.uid() + ",gid=" + spec.uid() + ",mode=1777";
    String seal = "rw,nosuid,nodev,exec,size=" + SEAL_DIR_BYTES + ",uid=" + spec.uid() + ",gid=" + spec.uid()
      + ",mode=0700";
    HostConfig hc = HostConfig.newHostConfig()
      .withNetworkMode("none")
      .withReadonlyRootfs(true)
      .withTmpFs(Map.of(TMP, tmpfs, SEAL_DIR, seal))
      .withCapDrop(Capability.ALL)
      .withSecurityOpts(List.of("no-new-privileges"))
      .withPrivileged(false)
      .withMemory(spec.memoryBytes())
      .withMemorySwap(spec.memoryBytes())
      .withOomScoreAdj(OOM_SCORE_ADJ)
      .withNanoCPUs(spec.nanoCpus())
      .withPidsLimit((long) spec.pids())
      // no core dumps (a pipe core_pattern ignores the limit, but its helper is told it is 0); no POSIX
      // message queues, whose memory is counted per uid across every sandbox of the host
      .withUlimits(List.of(new Ulimit("nofile", (long) spec.nofile(), (long) spec.nofile()),
        new Ulimit("core", 0L, 0L), new Ulimit("msgqueue", 0L, 0L)))
      .withInit(spec.init())
      .withIpcMode("private")
      .withShmSize(SHM_BYTES)
      .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE, null))
      .withAutoRemove(false);
    if (spec.ociRuntime() != null) {
      hc.withRuntime(spec.ociRuntime());
    }
    return hc;
  }

  static CreateContainerCmd apply(CreateContainerCmd cmd, ContainerSpec spec) {
    if (spec.name() != null) {
      cmd.withName(spec.name());
    }
    return cmd
      .withHostConfig(hostConfig(spec))
      .withEntrypoint("/bin/sh", "-c")
      .withCmd(spec.command())
      .withUser(spec.uid() + ":" + spec.uid())
      .withWorkingDir(TMP)
      // an image's HEALTHCHECK would make the engine exec processes into the sandbox
      .withHealthcheck(new HealthCheck().withTest(List.of("NONE")))
      .withHostName("sandbox")
      .withNetworkDisabled(true)
      .withEnv(spec.env())
      .withLabels(spec.labels())
      // an image's HEALTHCHECK is for long-lived services: in a sandbox it would run commands next to
      // the program, inside its memory and pids limits
      .withHealthcheck(new HealthCheck().withTest(List.of("NONE")))
      .withTty(false)
      .withStdinOpen(true)
      .withStdInOnce(true)
      .withAttachStdin(true)
      .withAttachStdout(true)
      .withAttachStderr(true);
  }
}
