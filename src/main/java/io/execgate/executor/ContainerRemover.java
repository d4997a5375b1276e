package io.execgate.executor;

import io.execgate.docker.ContainerRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers, and keeps trying for a while when the engine does not answer (e.g. while it
 * restarts), so that no sandbox is left behind by a transient failure.
 */
final class ContainerRemover {

  private static final Logger log = LoggerFactory.getLogger(ContainerRemover.class);
  private static final int MAX_ATTEMPTS = 8;
  private static final long FIRST_RETRY_MS = 1_000;

  private final Vertx vertx;
  private final ContainerRuntime runtime;

  ContainerRemover(Vertx vertx, ContainerRuntime runtime) {
    this.vertx = vertx;
    this.runtime = runtime;
  }

  /**
   * @return the first attempt; later attempts (1 s, 2 s, 4 s ... about 4 minutes in all) run on
   *   their own after it failed
   */
  Future<Void> remove(String id) {
    return attempt(id, 1);
  }

  private Future<Void> attempt(String id, int n) {
    return runtime.remove(id).onFailure(err -> {
      if (n < MAX_ATTEMPTS) {
        log.warn("removing container {} failed (attempt {}): {}; retrying", id, n, err.getMessage());
        vertx.setTimer(FIRST_RETRY_MS << (n - 1), t -> attempt(id, n + 1));
      } else {
        log.error("giving up removing container {} after {} attempts: {}", id, n, err.getMessage());
      }
    });
  }
}
