package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.execgate.docker.ContainerLabels;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The tests' own view of the Docker engine: is it there, and which labelled containers exist.
 * Without an engine the Docker-backed tests skip on a laptop but fail in CI (CI=true), where
 * .ci/run provisions one.
 */
final class DockerSupport {

  /** The image every test runs in, built by custom-images/offline/build-busybox.sh. */
  static final String IMAGE = "execgate/busybox:1.35";

  private DockerSupport() {
  }

  static DockerClient client() {
    return client(DefaultDockerClientConfig.createDefaultConfigBuilder().build());
  }

  /**
   * @param host another engine, e.g. {@code unix:///run/mine.sock}
   */
  static DockerClient client(String host) {
    return client(DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build());
  }

  private static DockerClient client(DefaultDockerClientConfig cfg) {
    return DockerClientImpl.getInstance(cfg, new ApacheDockerHttpClient.Builder()
      .dockerHost(cfg.getDockerHost())
      .sslConfig(cfg.getSSLConfig())
      .build());
  }

  /**
   * Skips the calling test class when no engine answers, unless CI=true, where it fails.
   */
  static void requireDocker() {
    String problem = null;
    try (DockerClient docker = client()) {
      docker.pingCmd().exec();
      try {
        docker.inspectImageCmd(IMAGE).exec();
      } catch (RuntimeException e) {
        problem = "image " + IMAGE + " is missing: run custom-images/offline/build-busybox.sh";
      }
    } catch (Exception e) {
      problem = "no Docker engine: " + e.getMessage();
    }
    if (problem != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(problem);
      }
      Assumptions.abort(problem);
    }
  }

  /**
   * Skips the calling test class when one of {@code images} is missing, unless CI=true, where it
   * fails: bin/setup --test builds them.
   */
  static void requireImages(String... images) {
    List<String> missing;
    try (DockerClient docker = client()) {
      missing = java.util.Arrays.stream(images).filter(image -> {
        try {
          docker.inspectImageCmd(image).exec();
          return false;
        } catch (RuntimeException e) {
          return true;
        }
      }).toList();
    } catch (Exception e) {
      missing = List.of(images);
    }
    if (!missing.isEmpty()) {
      String problem = "images " + missing + " are missing: run custom-images/offline/build-debian.sh";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(problem);
      }
      Assumptions.abort(problem);
    }
  }

  static List<Container> containers(DockerClient docker, String instanceId) {
    return docker.listContainersCmd()
      .withShowAll(true)
      .withLabelFilter(Map.of(ContainerLabels.INSTANCE, instanceId))
      .exec();
  }

  /**
   * @return the containers of {@code instanceId} that serve executions: all but the idle warm ones
   */
  static List<Container> executionContainers(DockerClient docker, String instanceId) {
    return containers(docker, instanceId).stream()
      .filter(c -> c.getNames() == null || List.of(c.getNames()).stream().noneMatch(n -> n.startsWith("/execgate-warm-")))
      .toList();
  }

  /**
   * Waits up to {@code timeoutMs} for every execution container of {@code instanceId} to be gone.
   *
   * @return the ids of those still there
   */
  static List<String> awaitNoExecutionContainers(DockerClient docker, String instanceId, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<String> left;
    do {
      left = executionContainers(docker, instanceId).stream().map(Container::getId).toList();
      if (left.isEmpty()) {
        return left;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    return left;
  }

  /**
   * @return whether the container of an execution (named {@code execgate-<id>}) exists
   */
  static boolean executionContainerExists(DockerClient docker, String executionId) {
    return docker.listContainersCmd().withShowAll(true).withNameFilter(List.of("execgate-" + executionId)).exec()
      .stream().anyMatch(c -> List.of(c.getNames()).contains("/execgate-" + executionId));
  }

  /**
   * Waits up to {@code timeoutMs} for the container of an execution: a warm container takes the
   * execution's name while the program already runs, so a single listing can miss it.
   *
   * @return the container, or {@code null} if none appeared
   */
  static Container awaitExecutionContainer(DockerClient docker, String executionId, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    do {
      Optional<Container> found = docker.listContainersCmd().withShowAll(true)
        .withNameFilter(List.of("execgate-" + executionId)).exec().stream()
        .filter(c -> List.of(c.getNames()).contains("/execgate-" + executionId)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(50);
    } while (System.currentTimeMillis() < deadline);
    return null;
  }

  /**
   * Waits up to {@code timeoutMs} for the container of an execution to be gone.
   *
   * @return whether it is gone
   */
  static boolean awaitExecutionContainerGone(DockerClient docker, String executionId, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (executionContainerExists(docker, executionId)) {
      if (System.currentTimeMillis() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  /**
   * Waits up to {@code timeoutMs} for every container of {@code instanceId} to be gone.
   *
   * @return the ids of those still there
   */
  static List<String> awaitNoContainers(DockerClient docker, String instanceId, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<String> left;
    do {
      left = containers(docker, instanceId).stream().map(Container::getId).toList();
      if (left.isEmpty()) {
        return left;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    return left;
  }

  /**
   * Cleanup after a failed test: force-removes the containers of {@code instanceId}, whether or not
   * a removal is already under way, so that the test's own failure is the one reported.
   */
  static void removeAll(DockerClient docker, String instanceId) {
    for (Container c : containers(docker, instanceId)) {
      try {
        docker.removeContainerCmd(c.getId()).withForce(true).exec();
      } catch (com.github.dockerjava.api.exception.NotFoundException
               | com.github.dockerjava.api.exception.ConflictException gone) {
        // gone, or going
      }
    }
  }

  /**
   * @return the container events {@code action} (e.g. {@code start}) of containers of {@code instanceId}
   *   between the two times (epoch seconds), from the engine's event log: containers removed since are still in it
   */
  static List<Event> containerEvents(DockerClient docker, String instanceId, String action,
                                                                     long sinceSeconds, long untilSeconds)
    throws InterruptedException {
    List<Event> events = new CopyOnWriteArrayList<>();
    docker.eventsCmd()
      .withSince(String.valueOf(sinceSeconds))
      .withUntil(String.valueOf(untilSeconds))
      .withEventTypeFilter(EventType.CONTAINER)
      .withEventFilter(action)
      .withLabelFilter(Map.of(ContainerLabels.INSTANCE, instanceId))
      .exec(new ResultCallback.Adapter<Event>() {
        @Override
        public void onNext(Event event) {
          events.add(event);
        }
      })
      .awaitCompletion(30, TimeUnit.SECONDS);
    return events;
  }
}
