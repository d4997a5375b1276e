package io.execgate.cluster;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Headers;
import io.execgate.config.ClusterOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.execgate.model.WorkerAdvert;
import io.execgate.store.ExecutionStore;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A gateway node's dispatcher. It owns the node-local admit address the HTTP API sends to, and
 * gives each execution to a worker with room, chosen from the workers' adverts ({@link WorkerDirectory});
 * a worker that refuses (full, leaving, gone) is followed by the next one, and when none has room the
 * submit is refused with capacity_exhausted (429) as on a single node. It watches the cluster's
 * membership: when a worker leaves, the executions it held are finished ({@link LostExecutions}),
 * those that had not started sent to another worker; a periodic sweep of the live map does the same
 * for anything missed (a gateway that was down, a worker that left before this gateway saw it).
 */
public final class DispatcherVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(DispatcherVerticle.class);
  private static final long ATTEMPT_TIMEOUT_MS = 10_000;
  private static final long MEMBERSHIP_POLL_MS = 500;
  private static final long SWEEP_MS = 5_000;
  /** A live entry of a worker this node never saw leave counts as orphaned once it is this old. */
  private static final long JOIN_GRACE_MS = 5_000;
  /** How long the gateway that dispatched an orphaned execution has to finish it before any other does. */
  private static final long HANDOFF_MS = 10_000;
  private static final int MAX_DEPARTED = 1_000;

  private final GatewayOptions options;
  private final Addresses addresses;
  private final Map<String, Pending> pending = new HashMap<>();
  private final Set<String> departed = new LinkedHashSet<>();
  private final Map<String, Long> orphansSeen = new HashMap<>();
  private WorkerDirectory directory;
  private LostExecutions lost;
  private LiveIndex index;
  private SessionRouter sessions;
  private String nodeId;
  private Set<String> members = Set.of();
  private Timer viewAge;
  private long workersLost;
  private boolean sweeping;
  private boolean sweepAgain;
  private long pollTimer = -1;
  private long sweepTimer = -1;

  public DispatcherVerticle(GatewayOptions options) {
    this.options = new GatewayOptions(options);
    this.addresses = new Addresses(this.options.getAddressPrefix());
  }

  @Override
  public Future<?> start() {
    ClusterOptions cluster = options.getCluster();
    nodeId = ClusterSupport.nodeId(vertx);
    members = new HashSet<>(ClusterSupport.members(vertx));
    directory = new WorkerDirectory(3 * cluster.getAdvertiseIntervalMs() + 1_000, cluster.isPreferImagePresent());
    long ttl = options.getExecutor().getRecordTtlSeconds() * 1000;
    Future<ExecutionStore> store = ExecutionStore.open(vertx, addresses.executionsMap(), ttl);
    Future<LiveIndex> live = LiveIndex.open(vertx, addresses, ttl);
    return Future.all(store, live)
      .compose(v -> {
        index = live.result();
        lost = new LostExecutions(vertx, addresses, store.result(), index, this::redispatch);
        metrics();
        var bus = vertx.eventBus();
        List<Future<?>> consumers = new ArrayList<>(List.of(
          bus.<WorkerAdvert>consumer(addresses.workerAdverts(), m -> onAdvert(m.body())).completion(),
          bus.<ExecutionJob>localConsumer(addresses.schedulerAdmit(), this::onAdmit).completion()));
        if (options.getSessions().isEnabled()) {
          sessions = new SessionRouter(vertx, addresses, directory, options.getSessions(), cluster.getName());
          consumers.add(sessions.register());
        }
        if (!cluster.getRole().runsWork()) {
          consumers.add(new WorkerQueries(vertx, addresses, directory, cluster.getName(),
            options.getImages().ensureDeadlineMs()).register());
        }
        return Future.all(consumers);
      })
      .onSuccess(v -> {
        pollTimer = vertx.setPeriodic(MEMBERSHIP_POLL_MS, t -> pollMembers());
        sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> sweep());
        sweep();
      });
  }

  private void metrics() {
    GatewayMetrics metrics = GatewayMetrics.of(vertx, addresses.prefix());
    metrics.gauge("execgate_cluster_workers", "Workers this gateway may dispatch to", this,
      d -> d.directory.all().stream().filter(w -> d.directory.usable(w, System.currentTimeMillis())).count());
    metrics.gauge("execgate_cluster_free_slots", "Free run slots of those workers, as last advertised", this,
      d -> d.directory.all().stream().filter(w -> d.directory.usable(w, System.currentTimeMillis()))
        .mapToInt(w -> Math.max(0, w.free())).sum());
    metrics.functionCounter("execgate_cluster_workers_lost", "Workers that left the cluster", () -> workersLost);
    metrics.functionCounter("execgate_cluster_executions_lost", "Executions ended in error because their worker left",
      () -> lost.lost);
    metrics.functionCounter("execgate_cluster_executions_redispatched",
      "Executions sent to another worker because theirs left before they started", () -> lost.redispatched);
    viewAge = Timer.builder("execgate_cluster_view_age")
      .description("Age of the worker's advert a dispatch decision used (since this gateway received it)")
      .register(metrics.registry());
  }

  private void onAdvert(WorkerAdvert advert) {
    if (departed.contains(advert.nodeId())) {
      return;
    }
    if (directory.update(advert, System.currentTimeMillis())) {
      log.info("worker {} (node {}) joined: {} run slots, {} queue places", advert.instanceId(), advert.nodeId(),
        advert.maxConcurrent(), advert.maxQueued());
    }
    // jobs that started (or ended) there can no longer move elsewhere: forget them
    Set<String> waiting = new HashSet<>(advert.waiting());
    pending.values().removeIf(p -> p.worker().equals(advert.nodeId()) && advert.seq() > p.advertSeq()
      && !waiting.contains(p.job().id()));
  }

  private void onAdmit(Message<ExecutionJob> message) {
    ExecutionJob job = message.body();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(message.headers());
    dispatch(job, headers, Set.of())
      .onSuccess(admission -> message.reply(admission))
      .onFailure(err -> {
        GatewayException ge = Replies.toGatewayException(err);
        if (ge.code() == ErrorCode.CAPACITY_EXHAUSTED || ge.code() == ErrorCode.NOT_READY) {
          GatewayMetrics.of(vertx, addresses.prefix()).rejected(ge.code().id());
        }
        message.fail(ge.code().number(), ge.getMessage());
      });
  }

  private Future<Void> redispatch(Pending p, String lostWorker) {
    return dispatch(p.job(), p.headers(), Set.of(lostWorker)).mapEmpty();
  }

  /**
   * Gives {@code job} to the best worker that takes it.
   */
  private Future<Admission> dispatch(ExecutionJob job, MultiMap headers, Set<String> exclude) {
    if (job.session() != null) {
      // the session's sandbox is on its worker: there or nowhere
      String node = SessionIds.node(job.session());
      WorkerDirectory.Worker w = node == null || exclude.contains(node) ? null : directory.get(node);
      if (w == null) {
        return Future.failedFuture(new GatewayException(ErrorCode.WORKER_LOST, "session " + job.session()
          + " has ended: worker_lost (its worker left the cluster)"));
      }
      return attempt(job, headers, List.of(w), 0, null);
    }
    List<WorkerDirectory.Worker> order = directory.candidates(job.image(), exclude, System.currentTimeMillis());
    if (order.isEmpty()) {
      return Future.failedFuture(nothingFree(exclude));
    }
    return attempt(job, headers, order, 0, null);
  }

  private Future<Admission> attempt(ExecutionJob job, MultiMap headers, List<WorkerDirectory.Worker> order, int i,
                                    GatewayException last) {
    if (i >= order.size()) {
      return Future.failedFuture(last);
    }
    WorkerDirectory.Worker w = order.get(i);
    String worker = w.advert.nodeId();
    viewAge.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - w.receivedAt)));
    directory.sending(w);
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(ATTEMPT_TIMEOUT_MS)
      .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers).set(Headers.GATEWAY, nodeId));
    return vertx.eventBus().<Admission>request(addresses.workerAdmit(worker), job, delivery).transform(ar -> {
      if (ar.succeeded()) {
        String seqHeader = ar.result().headers().get(Headers.ADVERT_SEQ);
        long seq = seqHeader == null ? Long.MAX_VALUE : Long.parseLong(seqHeader);
        directory.answered(w, seq);
        pending.put(job.id(), new Pending(job, headers, worker, seq));
        return Future.succeededFuture(ar.result().body());
      }
      directory.answered(w, null);
      GatewayException ge = Replies.toGatewayException(ar.cause());
      if (retryable(ar.cause(), ge)) {
        log.debug("[{}] worker {} did not take it ({}); trying the next", job.id(), w.advert.instanceId(), ge.getMessage());
        return attempt(job, headers, order, i + 1, ge.code() == ErrorCode.CAPACITY_EXHAUSTED ? ge
          : last != null ? last : ge);
      }
      return Future.failedFuture(ge);
    });
  }

  private static boolean retryable(Throwable err, GatewayException ge) {
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      // the worker is gone, or its address is not visible here yet
      return true;
    }
    return err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
      && (ge.code() == ErrorCode.CAPACITY_EXHAUSTED || ge.code() == ErrorCode.SHUTTING_DOWN
      || ge.code() == ErrorCode.DOCKER_UNAVAILABLE);
  }

  private GatewayException nothingFree(Set<String> exclude) {
    long now = System.currentTimeMillis();
    List<WorkerDirectory.Worker> usable = directory.all().stream()
      .filter(w -> directory.usable(w, now) && !exclude.contains(w.advert.nodeId())).toList();
    if (usable.isEmpty()) {
      return new GatewayException(ErrorCode.NOT_READY, WorkerQueries.noWorker(directory, options.getCluster().getName()));
    }
    int running = usable.stream().mapToInt(w -> w.advert.running()).sum();
    int waiting = usable.stream().mapToInt(w -> w.load() - w.advert.running()).sum();
    return new GatewayException(ErrorCode.CAPACITY_EXHAUSTED, "at capacity: all " + usable.size() + " workers are full ("
      + running + " executions running and " + waiting + " waiting)");
  }

  private void pollMembers() {
    Set<String> now;
    try {
      now = new HashSet<>(ClusterSupport.members(vertx));
    } catch (RuntimeException closing) {
      return;
    }
    boolean shrank = !now.containsAll(members);
    members = now;
    long time = System.currentTimeMillis();
    for (WorkerDirectory.Worker w : directory.all()) {
      String why = directory.why(w, time);
      if ((why == null) != w.announcedUsable) {
        w.announcedUsable = why == null;
        if (why == null) {
          log.info("worker {} takes work", w.advert.instanceId());
        } else {
          log.warn("worker {} gets no work: {}", w.advert.instanceId(), why);
        }
      }
    }
    for (WorkerDirectory.Worker w : new ArrayList<>(directory.all())) {
      if (!now.contains(w.advert.nodeId())) {
        directory.remove(w.advert.nodeId());
        depart(w.advert.nodeId());
        workersLost++;
        log.warn("worker {} (node {}) left the cluster: finishing the executions it held", w.advert.instanceId(),
          w.advert.nodeId());
      }
    }
    if (shrank) {
      sweep();
    }
  }

  private void depart(String node) {
    departed.add(node);
    if (departed.size() > MAX_DEPARTED) {
      departed.remove(departed.iterator().next());
    }
  }

  /**
   * Finishes the live executions of workers that are no longer members.
   */
  private void sweep() {
    if (sweeping) {
      sweepAgain = true;
      return;
    }
    sweeping = true;
    index.entries()
      .compose(entries -> {
        long now = System.currentTimeMillis();
        List<Future<Void>> work = new ArrayList<>();
        Set<String> orphans = new HashSet<>();
        for (var e : entries.entrySet()) {
          LiveEntry entry = LiveEntry.fromJson(e.getValue());
          if (members.contains(entry.worker())) {
            continue;
          }
          String id = e.getKey();
          orphans.add(id);
          long seen = orphansSeen.computeIfAbsent(id, k -> now);
          boolean gone = departed.contains(entry.worker()) || now - entry.since() > JOIN_GRACE_MS;
          boolean mine = entry.gateway() == null || entry.gateway().equals(nodeId) || !members.contains(entry.gateway())
            || now - seen > HANDOFF_MS;
          if (gone && mine) {
            work.add(lost.recover(id, e.getValue(), entry, pending.remove(id)));
          }
        }
        orphansSeen.keySet().retainAll(orphans);
        // jobs held for workers that left, whose live entry is gone (another gateway finished them): nothing to redo
        pending.values().removeIf(p -> departed.contains(p.worker()));
        return Future.join(work);
      })
      .onComplete(ar -> {
        sweeping = false;
        if (ar.failed()) {
          log.warn("sweeping the live executions failed: {}", ar.cause().getMessage());
        }
        if (sweepAgain) {
          sweepAgain = false;
          sweep();
        }
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(sweepTimer);
    if (sessions != null) {
      sessions.stop();
    }
    return Future.succeededFuture();
  }
}
