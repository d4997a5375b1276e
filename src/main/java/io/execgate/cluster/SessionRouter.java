package io.execgate.cluster;

import io.execgate.bus.Addresses;
import io.execgate.bus.SessionChannel;
import io.execgate.config.SessionOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.SessionCall;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * On a gateway node of a cluster, answers the node-local session address the HTTP API and the
 * embedding client send to, for the whole cluster. A session lives on one worker, which its id names
 * ({@link SessionIds}): a create goes to a ready worker (the one the dispatcher would pick for an
 * execution of its image first; the next when one refuses), once the key's sessions on every worker
 * are below {@code sessions.maxPerKey}; a list merges the caller's sessions of every worker; every
 * other call goes to the session's worker, whose own owner check answers (another key's id, or an id
 * that names a worker but no session of it, is {@code 404}). When that worker has left the cluster
 * (not a member, or its address has no handler), the call answers {@code 410 worker_lost} to the
 * session's owner, known from the cluster's sessions map (keyed by a digest of the id, so the map
 * gives no usable id away), and {@code 404} to anyone else. On the dispatcher's context.
 */
final class SessionRouter {

  private static final Logger log = LoggerFactory.getLogger(SessionRouter.class);
  private static final long MEMBERSHIP_POLL_MS = 500;

  private final Vertx vertx;
  private final Addresses addresses;
  private final SessionChannel channel;
  private final WorkerDirectory directory;
  private final SessionOptions config;
  private final String clusterName;
  /** Sessions this gateway placed on each worker: after the key's own spread, it spreads the rest. */
  private final Map<String, Long> placedOn = new HashMap<>();
  /** Calls waiting for a worker's answer, by its node: failed at once when it leaves the cluster. */
  private final Map<String, Set<Promise<Object>>> waiting = new HashMap<>();
  /** Fails a call whose worker left the cluster while it waited (never leaves this class). */
  private final GatewayException departed = new GatewayException(ErrorCode.WORKER_LOST, "the worker left");
  private AsyncMap<String, JsonObject> placed;
  private long timer = -1;

  SessionRouter(Vertx vertx, Addresses addresses, WorkerDirectory directory, SessionOptions config, String clusterName) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.channel = new SessionChannel(vertx.eventBus(), addresses);
    this.directory = directory;
    this.config = config;
    this.clusterName = clusterName;
  }

  Future<?> register() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(addresses.sessionsMap())
      .compose(map -> {
        placed = map;
        timer = vertx.setPeriodic(MEMBERSHIP_POLL_MS, t -> failDeparted());
        return vertx.eventBus().<SessionCall>localConsumer(addresses.sessionCall(), this::onCall).completion();
      });
  }

  private void onCall(Message<SessionCall> message) {
    SessionCall call = message.body();
    Future<Object> answer;
    try {
      answer = switch (call.action()) {
        case CREATE -> create(call);
        case LIST -> list(call).<Object>map(sessions -> new JsonObject().put("sessions", sessions));
        default -> routed(call);
      };
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onSuccess(message::reply).onFailure(err -> Replies.fail(message, err));
  }

  private Future<Object> routed(SessionCall call) {
    String node = SessionIds.node(call.session());
    if (node == null) {
      return Future.failedFuture(new GatewayException(ErrorCode.NOT_FOUND, "no session " + call.session()));
    }
    if (!ClusterSupport.members(vertx).contains(node)) {
      return lost(call);
    }
    // a worker that dies without leaving (a crash) is dropped after cluster.memberTimeoutSeconds: its
    // calls fail then, not at their own timeout
    Promise<Object> answer = Promise.promise();
    Set<Promise<Object>> calls = waiting.computeIfAbsent(node, k -> new HashSet<>());
    calls.add(answer);
    channel.callWorker(node, call).onComplete(answer::tryComplete, answer::tryFail);
    return answer.future()
      .andThen(ar -> {
        calls.remove(answer);
        if (calls.isEmpty()) {
          waiting.remove(node, calls);
        }
      })
      .recover(err -> {
        boolean gone = err == departed || err instanceof ReplyException re
          && (re.failureType() == ReplyFailure.NO_HANDLERS
          || re.failureType() == ReplyFailure.TIMEOUT && !ClusterSupport.members(vertx).contains(node));
        return gone ? lost(call) : Future.failedFuture(Replies.toGatewayException(err));
      });
  }

  private void failDeparted() {
    if (waiting.isEmpty()) {
      return;
    }
    List<String> members;
    try {
      members = ClusterSupport.members(vertx);
    } catch (RuntimeException closing) {
      return;
    }
    for (Map.Entry<String, Set<Promise<Object>>> e : new ArrayList<>(waiting.entrySet())) {
      if (!members.contains(e.getKey())) {
        new ArrayList<>(e.getValue()).forEach(p -> p.tryFail(departed));
      }
    }
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /**
   * @return {@code 410 worker_lost} for the owner (or an admin) of a session whose worker is gone,
   *   {@code 404} for anyone else and for an id this cluster never placed
   */
  private Future<Object> lost(SessionCall call) {
    return placed.get(digest(call.session())).otherwise(err -> {
      log.warn("reading the sessions map failed: {}", err.getMessage());
      return null;
    }).compose(entry -> {
      if (entry != null && (call.admin() || String.valueOf(call.owner()).equals(entry.getString("owner")))) {
        return Future.failedFuture(new GatewayException(ErrorCode.WORKER_LOST, "session " + call.session()
          + " has ended: worker_lost (its worker " + entry.getString("instance") + " left the cluster)"));
      }
      return Future.failedFuture(new GatewayException(ErrorCode.NOT_FOUND, "no session " + call.session()));
    });
  }

  private Future<Object> create(SessionCall call) {
    if (call.spec() == null) {
      return Future.failedFuture(GatewayException.invalid("language", "a session needs a runtime"));
    }
    return list(call).compose(mine -> {
      if (mine.size() >= config.getMaxPerKey()) {
        return Future.failedFuture(new GatewayException(ErrorCode.SESSION_LIMIT, "key '" + call.owner() + "' has "
          + mine.size() + " open sessions in the cluster, the most sessions.maxPerKey allows: delete one first"));
      }
      long now = System.currentTimeMillis();
      Map<String, Long> mineOn = new HashMap<>();
      mine.forEach(s -> mineOn.merge(String.valueOf(SessionIds.node(((JsonObject) s).getString("id"))), 1L, Long::sum));
      String image = call.spec().image();
      // the key's sessions spread over the workers (one lost worker ends fewer of them), the image where it is
      // present, then this gateway's sessions spread
      List<WorkerDirectory.Worker> order = directory.all().stream().filter(w -> directory.usable(w, now))
        .sorted(Comparator.<WorkerDirectory.Worker>comparingLong(w -> mineOn.getOrDefault(w.advert.nodeId(), 0L))
          .thenComparingInt(w -> w.has(image) ? 0 : 1)
          .thenComparingLong(w -> placedOn.getOrDefault(w.advert.nodeId(), 0L)))
        .toList();
      if (order.isEmpty()) {
        return Future.failedFuture(new GatewayException(ErrorCode.NOT_READY, WorkerQueries.noWorker(directory,
          clusterName)));
      }
      return attempt(call, order, 0, null);
    });
  }

  private Future<Object> attempt(SessionCall call, List<WorkerDirectory.Worker> order, int i, GatewayException last) {
    if (i >= order.size()) {
      return Future.failedFuture(last);
    }
    WorkerDirectory.Worker w = order.get(i);
    String node = w.advert.nodeId();
    return channel.callWorker(node, call)
      .compose(reply -> {
        JsonObject session = (JsonObject) reply;
        placedOn.merge(node, 1L, Long::sum);
        long keep = (session.getLong("maxLifetimeSeconds", config.getMaxLifetimeSeconds())
          + config.getEndedRetentionSeconds()) * 1000;
        JsonObject entry = new JsonObject().put("owner", call.owner()).put("worker", node)
          .put("instance", w.advert.instanceId());
        // without it the session still works; only a lost worker's answer to its owner is 404 instead of 410
        return placed.put(digest(session.getString("id")), entry, keep)
          .otherwise(err -> {
            log.warn("recording session {} in the sessions map failed: {}", session.getString("id"), err.getMessage());
            return null;
          })
          .<Object>map(v -> session);
      }, err -> {
        GatewayException ge = err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
          ? new GatewayException(ErrorCode.SESSIONS_UNAVAILABLE, "no worker of cluster '" + clusterName
          + "' serves sessions (sessions.enabled)")
          : Replies.toGatewayException(err);
        if (Set.of(ErrorCode.SESSIONS_UNAVAILABLE, ErrorCode.SESSION_LIMIT, ErrorCode.SHUTTING_DOWN,
          ErrorCode.DOCKER_UNAVAILABLE, ErrorCode.NOT_READY, ErrorCode.CAPACITY_EXHAUSTED).contains(ge.code())) {
          log.debug("worker {} did not take a session ({}); trying the next", w.advert.instanceId(), ge.getMessage());
          return attempt(call, order, i + 1, last != null && ge.code() == ErrorCode.SESSIONS_UNAVAILABLE ? last : ge);
        }
        return Future.failedFuture(ge);
      });
  }

  /**
   * @return the caller's open sessions on every worker that answers, oldest first
   */
  private Future<JsonArray> list(SessionCall call) {
    SessionCall ask = SessionCall.of(SessionCall.Action.LIST, call.owner(), call.admin(), null);
    List<Future<JsonObject>> lists = directory.all().stream()
      .map(w -> channel.listOnWorker(w.advert.nodeId(), ask))
      .toList();
    return Future.join(lists).transform(ar -> {
      List<JsonObject> all = new ArrayList<>();
      for (Future<JsonObject> f : lists) {
        if (f.succeeded()) {
          f.result().getJsonArray("sessions").forEach(s -> all.add((JsonObject) s));
        }
      }
      all.sort(Comparator.comparing(s -> Instant.parse(s.getString("createdAt"))));
      return Future.succeededFuture(new JsonArray(new ArrayList<>(all)));
    });
  }

  static String digest(String sessionId) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(String.valueOf(sessionId).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
