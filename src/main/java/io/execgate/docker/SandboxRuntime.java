package io.execgate.docker;

import io.vertx.core.Future;

import java.util.List;

/**
 * What running one sandbox needs of the container engine: create, attach, start, signal, kill,
 * inspect and remove a container, and adjust a warm one. Every method returns at once and completes
 * on the caller's context (see {@link ContainerRuntime} for the engine's lanes).
 */
public interface SandboxRuntime {

  /**
   * Creates a sandbox container with the full security profile.
   *
   * @return the container id
   */
  Future<String> create(ContainerSpec spec);

  /**
   * Tells what one path of a container's filesystem is, through the engine's archive API: the
   * container need not run (and is not started).
   *
   * @return the path's stat, or {@code null} when the path does not exist
   */
  Future<PathStat> statPath(String containerId, String path);

  /**
   * Attaches to stdout and stderr; the stream ends when the container's output ends.
   */
  Future<AttachedOutput> attachOutput(String containerId);

  /**
   * Attaches to stdin.
   */
  Future<StdinSink> attachStdin(String containerId);

  Future<Void> start(String containerId);

  /**
   * Kills the whole container (SIGKILL to its init).
   */
  Future<Void> kill(String containerId);

  /**
   * Sends {@code signal} to every process of the sandbox user except the container's init, the way a
   * terminal sends Ctrl-C to a foreground process group.
   */
  Future<Void> signal(String containerId, int uid, String signal);

  /**
   * Starts a process in a running container, as {@code uid}, with its stdin and output attached.
   *
   * @param command the command, run without a shell
   * @return its streams, once the engine has started it
   */
  Future<ExecStreams> exec(String containerId, int uid, List<String> command);

  Future<ContainerState> inspect(String containerId);

  /**
   * Changes the resource limits of a running container (memory with equal swap, CPU quota, pids).
   */
  Future<Void> update(String containerId, long memoryBytes, long nanoCpus, int pids);

  /**
   * Renames a container, e.g. a warm container to the execution it serves.
   */
  Future<Void> rename(String containerId, String name);

  /**
   * Removes a container, running or not; a container already gone is not an error.
   */
  Future<Void> remove(String containerId);
}
