package io.execgate.session;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Headers;
import io.execgate.config.SessionOptions;
import io.execgate.docker.ContainerRemover;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.SessionContainers;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.Frame;
import io.execgate.model.SessionCall;
import io.execgate.model.SessionSpec;
import io.execgate.request.RequestResolver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Owns the node's sessions: one instance, on an event loop, so the sessions' state needs no locks.
 * It creates each session's sandbox (through {@link SessionSandboxes}: the executions' locked-down
 * profile, labelled with the instance so the sweeps see it, PID 1 only waiting), hands the sandbox to one execution at a time
 * ({@code acquire}, answered by the executor's {@code released}), runs the file calls in it, and
 * ends sessions that were deleted, idle or too old, or whose sandbox died: the container is removed,
 * and the session answers {@code 410} with its reason for {@code sessions.endedRetentionSeconds}.
 */
public final class SessionVerticle extends VerticleBase {

  /** What {@link Session#busy} holds during a file call. */
  static final String FILES = "files";
  static final String DELETED = "deleted";
  private static final Logger log = LoggerFactory.getLogger(SessionVerticle.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long STOP_GRACE_MS = 10_000;
  /** After an execution's result, how long its executor may take to free the session before this does. */
  private static final long RELEASE_FALLBACK_MS = 30_000;

  private final GatewayOptions options;
  private final SessionOptions config;
  private final ContainerRuntime runtime;
  /** On a cluster worker, its node id, else {@code null}. */
  private final String node;
  /** On a cluster worker, the suffix of its sessions' ids (which name the worker), else {@code null}. */
  private final String idSuffix;
  private final Map<String, Session> sessions = new HashMap<>();
  private final EndedSessions ended;
  private Addresses addresses;
  private ContainerRemover remover;
  private SessionFiles files;
  private SessionSandboxes sandboxes;
  private RequestResolver resolver;
  private SessionMetrics metrics;
  private long timer = -1;

  /**
   * @param node     on a cluster worker, its node id: the calls come to its cluster-wide address, and a
   *                 create is checked again by this node's rules; else {@code null} (the node-local address)
   * @param idSuffix on a cluster worker, what ends its sessions' ids, so that a gateway routes by id alone
   */
  public SessionVerticle(GatewayOptions options, ContainerRuntime runtime, String node, String idSuffix) {
    this.options = new GatewayOptions(options);
    this.config = this.options.getSessions();
    this.runtime = runtime;
    this.node = node;
    this.idSuffix = idSuffix;
    this.ended = new EndedSessions(config.getEndedRetentionSeconds() * 1000);
  }

  @Override
  public Future<?> start() {
    addresses = new Addresses(options.getAddressPrefix());
    remover = new ContainerRemover(vertx, runtime);
    sandboxes = new SessionSandboxes(vertx, options, runtime, addresses);
    resolver = new RequestResolver(options);
    files = new SessionFiles(runtime, options.getExecutor().getUid(), config.getMaxFileBytes(),
      config.getMaxSessionFileBytes());
    metrics = new SessionMetrics(GatewayMetrics.of(vertx, options.getAddressPrefix()));
    timer = vertx.setPeriodic(config.getCheckIntervalMs(), t -> expire());
    var bus = vertx.eventBus();
    return Future.all(
      (node == null ? bus.<SessionCall>localConsumer(addresses.sessionCall(), this::onCall)
        : bus.<SessionCall>consumer(addresses.workerSession(node), this::onCall)).completion(),
      bus.<String>localConsumer(addresses.sessionReleased(),
        m -> release(m.body(), m.headers().get(Headers.EXECUTION))).completion(),
      bus.<String>localConsumer(addresses.sessionHeld(), m -> m.reply(held(m.body(), m.headers().get(Headers.EXECUTION))))
        .completion());
  }

  /**
   * @return the session {@code id} when it is handed to {@code execution}, which has not reached the
   *   sandbox yet, else {@code null}: a cluster worker runs a session's execution only then (a job naming
   *   a session it does not hold is forged)
   */
  private JsonObject held(String id, String execution) {
    Session s = id == null ? null : sessions.get(id);
    return s != null && execution != null && execution.equals(s.busy) && !s.started ? s.toJson() : null;
  }

  private void onCall(Message<SessionCall> message) {
    SessionCall call = message.body();
    Future<?> answer;
    try {
      answer = switch (call.action()) {
        case CREATE -> create(call);
        case GET -> Future.succeededFuture(owned(call).toJson());
        case LIST -> Future.succeededFuture(list(call));
        case DELETE -> delete(call);
        case ACQUIRE -> acquire(call);
        case RELEASE -> {
          // the API's release: the execution never reached the sandbox (its admission failed)
          Session s = sessions.get(call.session());
          if (s != null && s.ownedBy(call.owner(), call.admin()) && !s.started) {
            release(call.session(), call.execution());
          }
          yield Future.succeededFuture();
        }
        case PUT_FILE -> withFiles(call, s -> files.put(s.container, call.path(), call.data()));
        case GET_FILE -> withFiles(call, s -> files.get(s.container, call.path()));
        case DELETE_FILE -> withFiles(call, s -> files.delete(s.container, call.path()));
        case LIST_FILES -> withFiles(call, s -> files.list(s.container).map(l -> new JsonObject().put("files", l)));
        case RESTART -> restart(call);
      };
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onSuccess(message::reply).onFailure(err -> {
      if (Replies.toGatewayException(err).code() == ErrorCode.INTERNAL) {
        log.error("session call {} failed", call.action(), err);
      }
      Replies.fail(message, err);
    });
  }

  /**
   * @return the caller's session; {@code 410} with its reason when it ended a short while ago,
   *   {@code 404} when it is unknown or another key's
   */
  private Session owned(SessionCall call) {
    Session s = sessions.get(call.session());
    if (s != null && s.ownedBy(call.owner(), call.admin())) {
      return s;
    }
    if (s == null) {
      ended.checkEnded(call.session(), call.owner(), call.admin());
    }
    throw new GatewayException(ErrorCode.NOT_FOUND, "no session " + call.session());
  }

  private Session usable(SessionCall call) {
    Session s = owned(call);
    if (!s.ready) {
      throw new GatewayException(ErrorCode.SESSION_BUSY, "session " + s.id + " is still starting");
    }
    return s;
  }

  private JsonObject list(SessionCall call) {
    JsonArray list = new JsonArray();
    sessions.values().stream().filter(s -> s.owner.equals(call.owner())).sorted((a, b) -> Long.compare(a.createdAt,
      b.createdAt)).forEach(s -> list.add(s.toJson()));
    return new JsonObject().put("sessions", list);
  }

  private Future<JsonObject> create(SessionCall call) {
    long mine = sessions.values().stream().filter(s -> s.owner.equals(call.owner())).count();
    if (mine >= config.getMaxPerKey()) {
      throw new GatewayException(ErrorCode.SESSION_LIMIT, "key '" + call.owner() + "' has " + mine
        + " open sessions, the most sessions.maxPerKey allows: delete one first");
    }
    if (sessions.size() >= config.getMaxSessions()) {
      throw new GatewayException(ErrorCode.SESSION_LIMIT, "this node holds " + sessions.size()
        + " sessions, the most sessions.maxSessions allows");
    }
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    String id = "s" + HexFormat.of().formatHex(b) + (idSuffix == null ? "" : idSuffix);
    // on a cluster worker the create may come from any member of the cluster: checked by this node's rules
    SessionSpec spec = node == null ? call.spec() : SessionRecheck.create(call, resolver, config);
    Session s = new Session(id, call.owner(), spec, SessionContainers.name(id), System.currentTimeMillis());
    sessions.put(id, s);
    metrics.open(sessions.size());
    return sandboxes.create(s)
      .map(v -> {
        s.ready = true;
        s.lastUsedAt = System.currentTimeMillis();
        metrics.created();
        log.atInfo().addKeyValue("session", id).log("session created for key {} ({} on {})", call.owner(),
          spec.runtime().name(), spec.image());
        return s.toJson();
      })
      .recover(err -> {
        sessions.remove(id);
        metrics.open(sessions.size());
        remover.remove(s.container);
        return Future.failedFuture(err);
      });
  }

  /**
   * The restart route: kills a stateful session's interpreter (the next cell starts a fresh one),
   * one call at a time like a file call.
   */
  private Future<Void> restart(SessionCall call) {
    Session s = usable(call);
    if (!s.spec.stateful()) {
      throw GatewayException.invalid("stateful", "session " + s.id + " is not stateful: it has no interpreter to "
        + "restart");
    }
    return s.turn(false, options.getExecutor().getMaxQueueWaitMs()).compose(v -> {
      take(s, FILES);
      return sandboxes.restartKernel(s).andThen(ar -> release(s.id, FILES));
    });
  }

  private Future<Void> delete(SessionCall call) {
    Session s = owned(call);
    return end(s, DELETED);
  }

  /**
   * Hands the sandbox to one execution: at once when the session is free; after the current one's
   * cleanup when its result is out (or the caller queues); else {@code 409 session_busy}.
   */
  private Future<JsonObject> acquire(SessionCall call) {
    Session s = usable(call);
    // the turn is taken before the check, so that no other call slips in while it is on its way
    return s.turn(call.queue(), options.getExecutor().getMaxQueueWaitMs()).map(v -> take(s, call.execution()))
      .compose(json -> alive(s).map(json));
  }

  /**
   * Checks that the session's sandbox still runs (one inspect): a container that died since its last
   * call (killed from outside, its PID 1 OOM-killed while idle) ends the session with that reason,
   * and the caller gets {@code 410} at once instead of a run that fails in a dead sandbox. An engine
   * that cannot answer leaves the session as it is: the call itself then fails with the engine's error.
   */
  private Future<Void> alive(Session s) {
    return sandboxes.deathReason(s.container).compose(reason -> {
      if (reason == null) {
        return Future.succeededFuture();
      }
      if (sessions.get(s.id) == s) {
        // the turn taken is given up: whoever waits behind it is failed by end()
        end(s, reason);
      }
      return Future.failedFuture(new GatewayException(ErrorCode.SESSION_ENDED, "session " + s.id + " has ended: "
        + reason));
    });
  }

  private JsonObject take(Session s, String execution) {
    s.busy = execution;
    s.ending = false;
    s.started = false;
    s.lastUsedAt = System.currentTimeMillis();
    if (!FILES.equals(execution)) {
      // the result is announced before the sandbox is cleaned up: a run sent right after it waits a moment
      s.frames = vertx.eventBus().<Frame>localConsumer(addresses.output(execution), m -> {
        if (!execution.equals(s.busy)) {
          return;
        }
        s.started = true;
        if (m.body().isTerminal()) {
          s.ending = true;
          // the executor frees the session after its cleanup; should that word never come, this does
          vertx.setTimer(RELEASE_FALLBACK_MS, t -> release(s.id, execution));
        }
      });
    }
    return s.toJson();
  }

  private void release(String id, String execution) {
    Session s = sessions.get(id);
    if (s == null || execution == null || !execution.equals(s.busy)) {
      return;
    }
    if (s.frames != null) {
      s.frames.unregister();
      s.frames = null;
    }
    s.busy = null;
    s.ending = false;
    s.lastUsedAt = System.currentTimeMillis();
    if (!FILES.equals(execution)) {
      // an execution can take its sandbox down with it (the OOM killer may pick PID 1)
      sandboxes.deathReason(s.container).onSuccess(reason -> {
        if (reason != null && sessions.get(id) == s) {
          end(s, reason);
        }
      });
    }
    Promise<Void> next = s.waiters.poll();
    if (next != null) {
      next.tryComplete();
    }
  }

  private <T> Future<T> withFiles(SessionCall call, java.util.function.Function<Session, Future<T>> op) {
    Session s = usable(call);
    if (call.action() != SessionCall.Action.LIST_FILES) {
      // again here: over a cluster's bus the call may come from a member that is no gateway
      SessionPaths.check(call.path(), "path");
    }
    return s.turn(false, options.getExecutor().getMaxQueueWaitMs()).compose(v -> {
      take(s, FILES);
      return op.apply(s).andThen(ar -> release(s.id, FILES))
        // a file call that fails may have met a dead sandbox: then the answer is why the session ended
        .recover(err -> alive(s).compose(ok -> Future.failedFuture(err)));
    });
  }

  private Future<Void> end(Session s, String reason) {
    if (sessions.remove(s.id) == null) {
      return Future.succeededFuture();
    }
    metrics.open(sessions.size());
    ended.add(s.id, s.owner, reason);
    if (s.frames != null) {
      s.frames.unregister();
    }
    s.waiters.forEach(w -> w.tryFail(new GatewayException(ErrorCode.SESSION_ENDED, "session " + s.id
      + " has ended: " + reason)));
    metrics.ended(reason);
    log.atInfo().addKeyValue("session", s.id).log("session ended: {}", reason);
    return runtime.kill(s.container).otherwiseEmpty().compose(v -> remover.remove(s.container));
  }

  private void expire() {
    long now = System.currentTimeMillis();
    for (Session s : new ArrayList<>(sessions.values())) {
      if (!s.ready) {
        continue;
      }
      String reason = SessionExpiry.reason(now, s.createdAt, s.spec.lifetimeSeconds() * 1000, s.lastUsedAt,
        s.spec.idleTimeoutSeconds() * 1000, s.busy != null);
      if (reason != null) {
        end(s, reason);
      }
    }
    ended.prune(now);
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    List<Future<Void>> removals = new ArrayList<>();
    for (Session s : new ArrayList<>(sessions.values())) {
      removals.add(end(s, "gateway_stopped"));
    }
    return Future.join(removals).timeout(STOP_GRACE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty()
      .compose(v -> remover.stop());
  }
}
