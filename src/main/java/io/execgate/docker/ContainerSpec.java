package io.execgate.docker;

import java.util.List;
import java.util.Map;

/**
 * What to create: one sandbox container. The security profile itself is not configurable here:
 * {@link SandboxProfile} always applies it.
 *
 * @param name        the container's name, or {@code null} for one chosen by the engine
 * @param image       the image
 * @param command     the command (run through {@code /bin/sh -c} by the profile's entrypoint)
 * @param labels      labels, at least the {@link ContainerLabels} ones
 * @param uid         the non-root uid and gid to run as
 * @param memoryBytes memory limit, swap included
 * @param nanoCpus    CPU quota in billionths of a core
 * @param pids        process limit
 * @param tmpfsBytes  size of /tmp
 * @param tmpfsExec   whether binaries may run from /tmp
 * @param nofile      open-files limit
 * @param ociRuntime  the OCI runtime, or {@code null} for the engine's default
 * @param env         environment entries {@code KEY=value}
 * @param init        whether the engine's init runs as PID 1 and the command as its child; a session's
 *                    sandbox runs its command as PID 1 itself, the one process of the sandbox user that
 *                    {@code kill -KILL -1} inside it spares
 */
public record ContainerSpec(String name, String image, String command, Map<String, String> labels, int uid, long memoryBytes,
                            long nanoCpus, int pids, long tmpfsBytes, boolean tmpfsExec, int nofile,
                            String ociRuntime, List<String> env, boolean init) {

  /**
   * A sandbox whose command runs under the engine's init.
   */
  public ContainerSpec(String name, String image, String command, Map<String, String> labels, int uid,
                       long memoryBytes, long nanoCpus, int pids, long tmpfsBytes, boolean tmpfsExec, int nofile,
                       String ociRuntime, List<String> env) {
    this(name, image, command, labels, uid, memoryBytes, nanoCpus, pids, tmpfsBytes, tmpfsExec, nofile, ociRuntime,
      env, true);
  }

  public ContainerSpec {
    labels = Map.copyOf(labels);
    env = List.copyOf(env);
  }
}
