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
 */
public record ContainerSpec(String name, String image, String command, Map<String, String> labels, int uid, long memoryBytes,
                            long nanoCpus, int pids, long tmpfsBytes, boolean tmpfsExec, int nofile,
                            String ociRuntime, List<String> env) {

  public ContainerSpec {
    labels = Map.copyOf(labels);
    env = List.copyOf(env);
  }
}
