package io.execgate.docker;

import io.execgate.model.RegistryCredentials;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The narrow port through which executors drive a container engine. Every method returns at once;
 * blocking engine calls run on worker pools and complete on the caller's context. The pools are
 * separate by purpose, each with a bounded queue: {@link #kill}, {@link #remove} and the listings
 * (what enforces deadlines and cleans up) never wait behind the executions' lifecycle calls, and
 * neither waits behind {@link #signal}, which clients trigger.
 */
public interface ContainerRuntime extends AutoCloseable {

  /**
   * @return succeeds when the engine answers
   */
  Future<Void> ping();

  /**
   * @return the names of the OCI runtimes the engine can run containers with ({@code docker info})
   */
  Future<Set<String>> ociRuntimes();

  /**
   * @return the runc the engine runs containers with, as it reports it, or {@code null} when it names
   *   none (another OCI runtime, or an engine that does not say)
   */
  Future<RuncVersion> runcVersion();

  /**
   * @return whether the image is present locally
   */
  Future<Boolean> imagePresent(String image);

  /**
   * @return what the engine says about a local image, or {@code null} when it is not present
   */
  Future<ImageDetails> inspectImage(String image);

  /**
   * One pull attempt, abandoned after {@code timeoutMs}. Fails with {@code image_not_found} when the
   * registry does not have the image, {@code registry_auth_failed} when it refuses the credentials,
   * {@code image_pull_failed} otherwise (unreachable, failing or too slow), {@code docker_unavailable}
   * when the engine does not answer.
   *
   * @param credentials the registry's credentials, or {@code null} for none
   */
  Future<Void> pull(String image, long timeoutMs, RegistryCredentials credentials);

  /**
   * One pull attempt without credentials.
   */
  default Future<Void> pull(String image, long timeoutMs) {
    return pull(image, timeoutMs, null);
  }

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
  Future<ExecStreams> exec(String containerId, int uid, java.util.List<String> command);

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

  /**
   * @return ids of all containers (running or not) carrying all of {@code labels}
   */
  Future<List<String>> list(Map<String, String> labels);

  /**
   * @return ids of the running containers carrying all of {@code labels}
   */
  Future<List<String>> listRunning(Map<String, String> labels);

  /**
   * @return every container (running or not) carrying all of {@code labels}, with its state, age and
   *   execution label
   */
  Future<List<ManagedContainer>> listManaged(Map<String, String> labels);

  /**
   * @return the memory of the engine's host in bytes, as the engine reports it (0 when it does not)
   */
  Future<Long> hostMemoryBytes();

  /**
   * @return engine calls running or waiting, by purpose ({@code enforcement}, {@code lifecycle},
   *   {@code client})
   */
  default Map<String, Integer> pendingCalls() {
    return Map.of();
  }

  /**
   * @return engine calls refused because their purpose's queue was full, by purpose
   */
  default Map<String, Long> refusedCalls() {
    return Map.of();
  }

  @Override
  void close();
}
