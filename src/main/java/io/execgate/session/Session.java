package io.execgate.session;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.SessionSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * One open session, as its verticle holds it (touched only on the verticle's context).
 */
final class Session {

  final String id;
  final String owner;
  final SessionSpec spec;
  final String container;
  final long createdAt;
  boolean ready;
  long lastUsedAt;
  /** The execution (or {@code files}) using the sandbox now, or {@code null}. */
  String busy;
  /** The busy execution's result is out: its cleanup is all that is left, so a new run waits for it. */
  boolean ending;
  /** A frame of the busy execution was seen: it reached the sandbox, and its executor frees the session. */
  boolean started;
  MessageConsumer<?> frames;
  final Deque<Promise<Void>> waiters = new ArrayDeque<>();

  /** Runs waiting for a busy session, beyond which one more is refused. */
  private static final int MAX_WAITERS = 16;
  /** How long a run whose predecessor's result is out waits for its cleanup, without {@code queue}. */
  private static final long ENDING_WAIT_MS = 10_000;

  Session(String id, String owner, SessionSpec spec, String container, long createdAt) {
    this.id = id;
    this.owner = owner;
    this.spec = spec;
    this.container = container;
    this.createdAt = createdAt;
    this.lastUsedAt = createdAt;
  }

  /**
   * @param queueWaitMs how long a caller that queues may wait
   * @return completes when the session is free for the caller: at once, or once the execution whose
   *   result is out has been cleaned up (or, with {@code queue}, every one before it)
   */
  Future<Void> turn(boolean queue, long queueWaitMs) {
    if (busy == null && waiters.isEmpty()) {
      return Future.succeededFuture();
    }
    if (!queue && !ending) {
      throw new GatewayException(ErrorCode.SESSION_BUSY, "session " + id + " is running "
        + (SessionVerticle.FILES.equals(busy) ? "a file call" : "execution " + busy)
        + "; one at a time (an execution may send \"queue\": true to wait)");
    }
    if (waiters.size() >= MAX_WAITERS) {
      throw new GatewayException(ErrorCode.SESSION_BUSY, "session " + id + " has " + MAX_WAITERS
        + " calls waiting already");
    }
    Promise<Void> turn = Promise.promise();
    waiters.add(turn);
    long wait = queue ? queueWaitMs : ENDING_WAIT_MS;
    return turn.future().timeout(wait, TimeUnit.MILLISECONDS)
      .recover(err -> {
        waiters.remove(turn);
        return Future.failedFuture(err instanceof GatewayException ? err : new GatewayException(ErrorCode.SESSION_BUSY,
          "session " + id + " stayed busy for " + wait + " ms"));
      });
  }

  long expiresAt() {
    return Math.min(createdAt + spec.lifetimeSeconds() * 1000, lastUsedAt + spec.idleTimeoutSeconds() * 1000);
  }

  boolean ownedBy(String key, boolean admin) {
    return admin || owner.equals(key);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("status", !ready ? "starting" : busy != null ? "busy" : "ready")
      .put("language", spec.runtime().name())
      .put("version", spec.runtime().version())
      .put("image", spec.image())
      .put("stateful", spec.stateful())
      .put("createdAt", Instant.ofEpochMilli(createdAt).toString())
      .put("expiresAt", Instant.ofEpochMilli(expiresAt()).toString())
      .put("lastUsedAt", Instant.ofEpochMilli(lastUsedAt).toString())
      .put("idleTimeoutSeconds", spec.idleTimeoutSeconds())
      .put("maxLifetimeSeconds", spec.lifetimeSeconds())
      .put("limits", new JsonObject().put("memoryMb", spec.limits().memoryMb()).put("cpus", spec.limits().cpus())
        .put("pids", spec.limits().pids()));
    if (busy != null && !busy.equals(SessionVerticle.FILES)) {
      json.put("execution", busy);
    }
    return json;
  }
}
