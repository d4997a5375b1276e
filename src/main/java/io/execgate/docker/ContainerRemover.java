package io.execgate.docker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes containers, and keeps trying for a while when the engine does not answer (e.g. while it
 * restarts), so that no sandbox is left behind by a transient failure. One per verticle, used on its
 * context.
 */
public final class ContainerRemover {

  private static final Logger log = LoggerFactory.getLogger(ContainerRemover.class);
  private static final int MAX_ATTEMPTS = 8;
  private static final long FIRST_RETRY_MS = 1_000;

  private final Vertx vertx;
  private final SandboxRuntime runtime;
  /** Containers waiting for their next attempt, and its timer. */
  private final Map<String, Long> retries = new HashMap<>();
  private boolean stopped;

  /**
   * @param vertx   the Vertx
   * @param runtime the container engine; used on the owner's context only
   */
  public ContainerRemover(Vertx vertx, SandboxRuntime runtime) {
    this.vertx = vertx;
    this.runtime = runtime;
  }

  /**
   * @return the first attempt; later attempts (1 s, 2 s, 4 s ... about 4 minutes in all) run on
   *   their own after it failed, until {@link #stop()}
   */
  public Future<Void> remove(String id) {
    return attempt(id, 1);
  }

  private Future<Void> attempt(String id, int n) {
    return runtime.remove(id).onFailure(err -> {
      if (stopped) {
        log.warn("container {} not removed ({}); the next start of this instance removes it", id, err.getMessage());
      } else if (n < MAX_ATTEMPTS) {
        log.warn("removing container {} failed (attempt {}): {}; retrying", id, n, err.getMessage());
        retries.put(id, vertx.setTimer(FIRST_RETRY_MS << (n - 1), t -> {
          retries.remove(id);
          attempt(id, n + 1);
        }));
      } else {
        log.error("giving up removing container {} after {} attempts: {}", id, n, err.getMessage());
      }
    });
  }

  /**
   * Called by the owner as it stops, before the engine's client is closed: the removals waiting for
   * a retry are tried once more now rather than never.
   *
   * @return when those attempts ended, failed or not
   */
  public Future<Void> stop() {
    stopped = true;
    List<Future<Void>> now = new ArrayList<>();
    retries.forEach((id, timer) -> {
      vertx.cancelTimer(timer);
      now.add(attempt(id, MAX_ATTEMPTS));
    });
    retries.clear();
    return Future.join(now).otherwiseEmpty().mapEmpty();
  }
}
