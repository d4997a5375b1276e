package io.execgate.cluster;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.SessionChannel;
import io.execgate.bus.Headers;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.image.ImagePolicy;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageList;
import io.execgate.model.ImageRequest;
import io.execgate.model.PoolState;
import io.execgate.model.Readiness;
import io.execgate.model.WorkerAdvert;
import io.execgate.request.RequestResolver;
import io.execgate.session.SessionBinding;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster worker's face to the gateways. Takes the executions they dispatch to this node (a
 * cluster-wide address per node) and hands them to the node's own scheduler; keeps the cluster-wide
 * live map and per-key quotas up to date; and advertises the node's free slots, readiness, images and
 * pools to every gateway, periodically and on every change (at most every {@value #MIN_GAP_MS} ms).
 * Image work stays on the node: gateways only ask for the list and for pre-pulls. A single
 * event-loop instance owns this state.
 * <p>
 * Whatever arrives on the cluster's event bus may come from any member, not only a gateway: every
 * job is checked again by this node's own rules and image policy and clamped to its own maxima
 * ({@link RequestResolver#recheck}); a job whose id is live already, or names an execution that
 * started or ended, is refused (it would take over that execution's stream and controls); a pre-pull
 * must name an image the policy allows.
 */
public final class WorkerAgentVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WorkerAgentVerticle.class);
  static final long MIN_GAP_MS = 50;
  private static final long LOCAL_TIMEOUT_MS = 10_000;
  private static final long ADMIT_TIMEOUT_MS = 30_000;

  private final GatewayOptions options;
  private final Addresses addresses;
  private final RequestResolver jobs;
  private final ImagePolicy policy;
  private ExecutionStore store;
  /** Admitted executions not yet released: id to whether it holds a run slot. */
  private final Map<String, Live> live = new LinkedHashMap<>();
  private String nodeId;
  private LiveIndex index;
  private long seq;
  private long lastSent;
  private long soon = -1;
  private long tick = -1;
  private boolean refreshing;
  private boolean stopping;
  private Readiness readiness = new Readiness(false, false, "starting");
  private List<String> images = List.of();
  private PoolState pools;

  private static final class Live {
    final String owner;
    boolean started;

    Live(String owner) {
      this.owner = owner;
    }
  }

  public WorkerAgentVerticle(GatewayOptions options) {
    this.options = new GatewayOptions(options);
    this.addresses = new Addresses(this.options.getAddressPrefix());
    this.jobs = new RequestResolver(this.options);
    this.policy = new ImagePolicy(this.options.resolvedRuntimes(), this.options.getImages());
  }

  @Override
  public Future<?> start() {
    nodeId = ClusterSupport.nodeId(vertx);
    var bus = vertx.eventBus();
    long ttl = options.getExecutor().getRecordTtlSeconds() * 1000;
    return ExecutionStore.open(vertx, addresses.executionsMap(), ttl)
      .compose(s -> {
        store = s;
        return LiveIndex.open(vertx, addresses, ttl);
      })
      .compose(idx -> {
        index = idx;
        return Future.all(List.of(
          bus.<ExecutionJob>consumer(addresses.workerAdmit(nodeId), this::onAdmit).completion(),
          bus.<Void>consumer(addresses.workerImages(nodeId), m -> forward(m, addresses.imageList())).completion(),
          bus.<ImageRequest>consumer(addresses.workerPrePull(nodeId), this::onPrePull).completion(),
          bus.<String>localConsumer(addresses.schedulerStarted(), m -> onStarted(m.body())).completion(),
          bus.<String>localConsumer(addresses.schedulerReleased(), m -> onReleased(m.body())).completion()));
      })
      .compose(v -> refresh())
      .onSuccess(v -> {
        advertise();
        tick = vertx.setPeriodic(options.getCluster().getAdvertiseIntervalMs(), t -> refresh().onComplete(ar -> advertise()));
        log.info("worker {} (node {}) takes executions: {} run slots, {} queue places", options.getInstanceId(), nodeId,
          options.getExecutor().getMaxConcurrent(), options.getExecutor().getMaxQueued());
      });
  }

  private void onAdmit(Message<ExecutionJob> message) {
    if (stopping) {
      message.fail(ErrorCode.SHUTTING_DOWN.number(), "worker " + options.getInstanceId() + " is shutting down");
      return;
    }
    MultiMap headers = message.headers();
    List<String> clamped = new ArrayList<>();
    ExecutionJob job;
    long ownerMax;
    try {
      job = jobs.recheck(message.body(), clamped);
      ownerMax = quotaOf(headers.get(Headers.OWNER_MAX));
    } catch (GatewayException e) {
      log.warn("refusing a job sent by node {}: {}", headers.get(Headers.GATEWAY), e.getMessage());
      Replies.fail(message, e);
      return;
    }
    if (!clamped.isEmpty()) {
      log.warn("[{}] job sent by node {} asks more than this worker allows: {}", job.id(), headers.get(Headers.GATEWAY),
        String.join(", ", clamped));
    }
    String owner = headers.get(Headers.OWNER);
    Future<ExecutionJob> run = held(job, headers);
    Future<String> charged = run.compose(v -> unused(job.id())).compose(v -> owner != null && ownerMax > 0
      ? charge(owner, ownerMax)
      : Future.succeededFuture(null));
    charged
      .compose(counted -> {
        LiveEntry entry = new LiveEntry(nodeId, options.getInstanceId(), headers.get(Headers.GATEWAY),
          job.owner() != null ? job.owner() : owner, counted != null, System.currentTimeMillis());
        return index.putIfAbsent(job.id(), entry)
          .compose(existing -> existing == null
            ? vertx.eventBus().<Admission>request(addresses.schedulerNodeAdmit(), run.result(), new DeliveryOptions()
              .setSendTimeout(ADMIT_TIMEOUT_MS).setHeaders(headers))
            : Future.failedFuture(inUse(job.id(), "is live on worker " + existing.getString("instance"))))
          .map(reply -> {
            // before anything else runs on this context: the scheduler's started/released events follow its reply
            live.put(job.id(), new Live(counted));
            return reply.body();
          })
          .onFailure(err -> {
            // only the entry this admission wrote: another one under the same id belongs to a live execution
            index.claim(job.id(), entry.toJson());
            uncharge(counted);
          });
      })
      .onSuccess(admission -> {
        message.reply(admission, new DeliveryOptions().addHeader(Headers.ADVERT_SEQ, String.valueOf(seq)));
        advertiseSoon();
      })
      .onFailure(err -> Replies.fail(message, err));
  }

  /**
   * Fails, as for an unknown session, when a job names a session that this node's session verticle did
   * not hand to that very execution: only a gateway that acquired the session knows that execution's id,
   * and a job that ran without it would run in another key's sandbox.
   *
   * @return the job to run: one in a session bound again to the session as this node holds it (its
   *   image, sandbox limits and, when stateful, the interpreter's cell), since the check above gave it
   *   this node's own runtime
   */
  private Future<ExecutionJob> held(ExecutionJob job, MultiMap headers) {
    if (job.session() == null) {
      return Future.succeededFuture(job);
    }
    return new SessionChannel(vertx.eventBus(), addresses).held(job.session(), job.id())
      .transform(ar -> {
        JsonObject session = ar.succeeded() ? ar.result() : null;
        if (session != null) {
          return Future.succeededFuture(SessionBinding.bind(job, session, job.session()));
        }
        log.warn("[{}] refusing a job sent by node {}: it names session {}, which is not held for it", job.id(),
          headers.get(Headers.GATEWAY), job.session());
        return Future.failedFuture(new GatewayException(ErrorCode.NOT_FOUND, "no session " + job.session()));
      });
  }

  /**
   * Fails when {@code id} names an execution that started or ended: a job under its id would take over
   * its stream, controls and record. One that had not started may come again (its worker was lost and
   * its gateway sends it elsewhere).
   */
  private Future<Void> unused(String id) {
    return store.get(id).compose(record -> {
      if (record == null || record.status() == ExecutionStatus.QUEUED || record.status() == ExecutionStatus.PULLING) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(inUse(id, "is " + record.status().id()));
    });
  }

  private static long quotaOf(String header) {
    try {
      return header == null ? 0 : Long.parseLong(header);
    } catch (NumberFormatException e) {
      throw GatewayException.invalid(Headers.OWNER_MAX, Headers.OWNER_MAX + " must be a number, got '" + header + "'");
    }
  }

  private static GatewayException inUse(String id, String why) {
    return new GatewayException(ErrorCode.IDEMPOTENCY_CONFLICT, "execution id " + id + " is in use: it " + why);
  }

  private void onPrePull(Message<ImageRequest> message) {
    try {
      policy.check(message.body().image());
    } catch (GatewayException e) {
      log.warn("refusing a pre-pull sent over the cluster: {}", e.getMessage());
      Replies.fail(message, e);
      return;
    }
    forward(message, addresses.imageEnsure());
  }

  /**
   * Counts the execution against its key's cluster-wide quota.
   *
   * @return the owner when counted, or fails with quota_exceeded
   */
  private Future<String> charge(String owner, long max) {
    return index.quota(owner).compose(counter -> counter.incrementAndGet().compose(n -> {
      if (n <= max) {
        return Future.succeededFuture(owner);
      }
      return counter.decrementAndGet().transform(ar -> Future.failedFuture(new GatewayException(
        ErrorCode.QUOTA_EXCEEDED, "key '" + owner + "' already has " + (n - 1)
        + " executions running or queued in the cluster, its quota")));
    }));
  }

  private void uncharge(String owner) {
    if (owner != null) {
      index.quota(owner).compose(c -> c.decrementAndGet())
        .onFailure(err -> log.warn("releasing a quota place of key '{}' failed: {}", owner, err.getMessage()));
    }
  }

  private void onStarted(String id) {
    Live l = live.get(id);
    if (l != null) {
      l.started = true;
      advertiseSoon();
    }
  }

  private void onReleased(String id) {
    Live l = live.remove(id);
    if (l != null) {
      index.remove(id)
        .onFailure(err -> log.warn("[{}] removing the live entry failed: {}", id, err.getMessage()))
        .onComplete(ar -> uncharge(l.owner));
      advertiseSoon();
    }
  }

  private <T> void forward(Message<T> message, String localAddress) {
    vertx.eventBus().request(localAddress, message.body(), new DeliveryOptions().setSendTimeout(
        options.getImages().ensureDeadlineMs()))
      .onSuccess(reply -> message.reply(reply.body()))
      .onFailure(err -> Replies.fail(message, err));
  }

  /**
   * Reads the node's readiness, images and pools from the local verticles; one refresh at a time.
   */
  private Future<Void> refresh() {
    if (refreshing) {
      return Future.succeededFuture();
    }
    refreshing = true;
    var bus = vertx.eventBus();
    DeliveryOptions local = new DeliveryOptions().setSendTimeout(LOCAL_TIMEOUT_MS);
    // a check that could not answer in time (a busy engine) says nothing new: the last answer stands
    Future<Readiness> ready = bus.<Readiness>request(addresses.imageReady(), null, local).map(Message::body)
      .otherwise(readiness);
    Future<List<String>> usable = bus.<ImageList>request(addresses.imageList(), null, local)
      .map(m -> m.body().images().stream().filter(ImageInfo::usable).map(ImageInfo::image).toList())
      .otherwise(images);
    Future<PoolState> pool = bus.<PoolState>request(addresses.poolState(), null, local).map(Message::body)
      .otherwise(pools);
    return Future.join(ready, usable, pool).transform(ar -> {
      refreshing = false;
      readiness = ready.result();
      images = usable.result();
      pools = pool.result();
      return Future.succeededFuture();
    });
  }

  private void advertiseSoon() {
    if (soon >= 0) {
      return;
    }
    long wait = lastSent + MIN_GAP_MS - System.currentTimeMillis();
    if (wait <= 0) {
      advertise();
    } else {
      soon = vertx.setTimer(wait, t -> advertise());
    }
  }

  private void advertise() {
    if (soon >= 0) {
      vertx.cancelTimer(soon);
      soon = -1;
    }
    int running = (int) live.values().stream().filter(l -> l.started).count();
    List<String> waiting = live.entrySet().stream().filter(e -> !e.getValue().started).map(Map.Entry::getKey).toList();
    lastSent = System.currentTimeMillis();
    WorkerAdvert advert = new WorkerAdvert(nodeId, options.getInstanceId(), ++seq, lastSent,
      options.getExecutor().getMaxConcurrent(), options.getExecutor().getMaxQueued(), running, live.size(), waiting,
      readiness.ready(), readiness.message(), images, pools, stopping);
    vertx.eventBus().publish(addresses.workerAdverts(), advert);
  }

  @Override
  public Future<?> stop() {
    // gateways stop dispatching here at once; the executors, stopped next, cancel what runs
    stopping = true;
    vertx.cancelTimer(tick);
    advertise();
    return Future.succeededFuture();
  }
}
