package io.execgate.docker;

import io.execgate.model.RegistryCredentials;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway asks of the container engine besides running sandboxes: whether it answers and
 * what it can run (startup checks), its images (the image cache), and the containers it holds (orphan
 * reaping, sweeps, the warm pool's checks). Every method returns at once and completes on the
 * caller's context (see {@link ContainerRuntime} for the engine's lanes).
 */
public interface EngineHousekeeping {

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
}
