package io.execgate.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.execgate.config.DockerOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * What keeps deadlines and cleans up, on a lane and a Docker client of its own: kills, removals and
 * the listings for reaping and sweeping. Attaches and pulls, which hold their connections for as long
 * as they last, and a flood of client-triggered calls can therefore never leave a kill or a removal
 * waiting for a thread or a connection. Part of {@link DockerContainerRuntime}.
 */
final class ContainerEnforcement {

  private static final Logger log = LoggerFactory.getLogger(ContainerEnforcement.class);
  /** How often a removal started by someone else is checked for its end. */
  private static final long REMOVAL_POLL_MS = 50;
  /** Container states in which no process of it runs. */
  private static final Set<String> STOPPED = Set.of("created", "exited", "dead");

  private final Vertx vertx;
  private final DockerOptions options;
  private final DockerClient client;
  private final EngineLane lane;

  /**
   * @param client its own client, with as many connections as the lane has threads
   * @param lane   the enforcement lane
   */
  ContainerEnforcement(Vertx vertx, DockerOptions options, DockerClient client, EngineLane lane) {
    this.vertx = vertx;
    this.options = options;
    this.client = client;
    this.lane = lane;
  }

  EngineLane lane() {
    return lane;
  }

  private <T> Future<T> call(String what, Callable<T> task) {
    return lane.call(what, task, options.getCallTimeoutMs(), options.getHost());
  }

  Future<Void> kill(String containerId) {
    return call("kill container", () -> {
      try {
        client.killContainerCmd(containerId).withSignal("KILL").exec();
      } catch (NotFoundException | ConflictException gone) {
        // already gone or not running: the outcome we wanted
      }
      return null;
    });
  }

  Future<Void> remove(String containerId) {
    return call("remove container", () -> {
      try {
        client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
      } catch (NotFoundException gone) {
        // removed already
      } catch (ConflictException inProgress) {
        // "removal already in progress": someone else removes it; done only once it is gone
        return false;
      }
      return true;
    }).compose(gone -> gone ? Future.succeededFuture()
      : awaitGone(containerId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.getCallTimeoutMs())));
  }

  private Future<Void> awaitGone(String containerId, long deadlineNanos) {
    return call("inspect container", () -> {
      try {
        client.inspectContainerCmd(containerId).exec();
        return false;
      } catch (NotFoundException gone) {
        return true;
      }
    }).compose(gone -> {
      if (gone) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        return Future.failedFuture(new GatewayException(ErrorCode.INTERNAL,
          "remove container: " + containerId + " is still being removed"));
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(REMOVAL_POLL_MS, t -> awaitGone(containerId, deadlineNanos).onComplete(later));
      return later.future();
    });
  }

  Future<List<String>> list(Map<String, String> labels) {
    return call("list containers", () -> client.listContainersCmd()
      .withShowAll(true)
      .withLabelFilter(labels)
      .exec()
      .stream()
      .map(Container::getId)
      .toList());
  }

  Future<List<String>> listRunning(Map<String, String> labels) {
    return call("list running containers", () -> client.listContainersCmd()
      .withLabelFilter(labels)
      .withStatusFilter(List.of("running"))
      .exec()
      .stream()
      .map(Container::getId)
      .toList());
  }

  Future<List<ManagedContainer>> listManaged(Map<String, String> labels) {
    return call("list containers", () -> client.listContainersCmd()
      .withShowAll(true)
      .withLabelFilter(labels)
      .exec()
      .stream()
      .map(c -> new ManagedContainer(c.getId(), c.getLabels() == null ? null : c.getLabels().get(ContainerLabels.EXECUTION),
        !STOPPED.contains(c.getState()), c.getCreated() == null ? 0 : c.getCreated()))
      .toList());
  }

  void close() {
    lane.close();
    try {
      client.close();
    } catch (IOException e) {
      log.debug("closing a Docker client failed", e);
    }
  }
}
