package io.execgate.scheduler;

import io.execgate.bus.Addresses;
import io.execgate.bus.ExecutorChannel;
import io.execgate.bus.Headers;
import io.execgate.bus.SchedulerChannel;
import io.execgate.config.ExecutorOptions;
import io.execgate.config.QueueOrder;
import io.execgate.error.ErrorCode;
import io.execgate.error.Replies;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Admission control of one node: at most {@code maxConcurrent} containers run, at most
 * {@code maxQueued} admitted executions wait, anything beyond is refused at once. Executions waiting
 * for a slot get one in fair order across API keys ({@link FairQueue}), and no key holds more than its
 * share of the slots ({@code executor.maxKeyShare}), so that one key's flood never starves another's
 * executions. A single event-loop instance owns this state, so it needs no locks.
 */
public final class SchedulerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SchedulerVerticle.class);
  /**
   * A backstop only: a run gives its slot back as soon as its container is removed. This bounds a
   * slot whose execution vanished without a word (far beyond any execution's deadlines).
   */
  private static final long SLOT_HOLD_MS = TimeUnit.HOURS.toMillis(24);

  private final Addresses addresses;
  private ExecutorChannel executors;
  /** What this scheduler announces on its node (clustered only). */
  private SchedulerChannel announcements;
  private final int maxConcurrent;
  private final int maxQueued;
  /** Run slots one key may hold at once. */
  private final int maxPerKey;
  private final Set<String> admitted = new HashSet<>();
  private final Set<String> running = new HashSet<>();
  /** Requests for a slot, answered by the grant. */
  private final FairQueue<Message<?>> waiting;
  /** Admitted executions charged to an API key, and how many each key has. */
  private final Map<String, String> owners = new HashMap<>();
  private final Map<String, Integer> perOwner = new HashMap<>();
  /** Admitted executions' places in the fair queue, and the slots each queue owner holds. */
  private final Map<String, Share> shares = new HashMap<>();
  private final Map<String, Integer> runningPerOwner = new HashMap<>();
  private final Map<String, Integer> admittedPerOwner = new HashMap<>();
  /** Queue places held for batches being admitted; counted as admitted by every check. */
  private Reservations reservations;
  private final boolean clustered;
  private boolean stopping;
  private boolean engineReady;
  private GatewayMetrics metrics;

  /**
   * @param engineReady whether the engine answered at startup; if not, nothing is admitted until a
   *                    message on {@link Addresses#schedulerEngineReady()} says it does
   */
  public SchedulerVerticle(String addressPrefix, ExecutorOptions options, boolean engineReady) {
    this(addressPrefix, options, engineReady, false);
  }

  /**
   * @param clustered whether the node is a cluster worker: then it admits on
   *                  {@link Addresses#schedulerNodeAdmit()} (its worker agent forwards there) and tells
   *                  the agent, on this node only, which executions start and which give their place back
   */
  public SchedulerVerticle(String addressPrefix, ExecutorOptions options, boolean engineReady, boolean clustered) {
    this.engineReady = engineReady;
    this.addresses = new Addresses(addressPrefix);
    this.maxConcurrent = options.getMaxConcurrent();
    this.maxQueued = options.getMaxQueued();
    this.maxPerKey = FairQueue.slotsPerKey(options.getMaxConcurrent(), options.getMaxKeyShare());
    this.waiting = new FairQueue<>(options.getQueueOrder() == QueueOrder.FAIR);
    this.clustered = clustered;
  }

  /**
   * Whose turn an execution takes in the fair queue.
   *
   * @param owner  the key (or the anonymous caller) it is charged to
   * @param weight the owner's weight
   * @param capped whether the owner is a key, limited to its share of the slots
   */
  private record Share(String owner, int weight, boolean capped) {

    static Share of(MultiMap headers) {
      String owner = headers.get(Headers.OWNER);
      String weight = headers.get(Headers.OWNER_WEIGHT);
      return new Share(owner != null ? owner : "", weight != null ? Integer.parseInt(weight) : 1, weight != null);
    }
  }

  @Override
  public Future<?> start() {
    metrics = GatewayMetrics.of(vertx, addresses.prefix());
    executors = new ExecutorChannel(vertx.eventBus(), addresses);
    announcements = new SchedulerChannel(vertx.eventBus(), addresses);
    reservations = new Reservations(vertx);
    metrics.gauge("execgate_running", "Executions holding a run slot", this, s -> s.running.size());
    metrics.gauge("execgate_queue_depth", "Admitted executions waiting for a run slot", this,
      s -> s.admitted.size() - s.running.size());
    metrics.gauge("execgate_capacity", "Run slots of this node", this, s -> s.maxConcurrent);
    var bus = vertx.eventBus();
    // a cluster's batches are admitted item by item through the dispatcher, which has no such operation
    Future<Void> reserve = clustered ? Future.succeededFuture()
      : bus.<JsonObject>localConsumer(addresses.schedulerReserve(), this::reserve).completion();
    return Future.all(
      bus.<ExecutionJob>localConsumer(clustered ? addresses.schedulerNodeAdmit() : addresses.schedulerAdmit(),
        this::admit).completion(),
      bus.<String>localConsumer(addresses.schedulerAcquire(), m -> acquire(m.body(), m)).completion(),
      bus.<String>localConsumer(addresses.schedulerRelease(), this::release).completion(),
      bus.<String>localConsumer(addresses.schedulerPosition(), this::position).completion(),
      bus.<String>localConsumer(addresses.schedulerHeavy(), m -> m.reply(heavy(m.body()))).completion(),
      bus.<Boolean>localConsumer(addresses.schedulerEngineReady(), m -> {
        engineReady = true;
        m.reply(null);
      }).completion()).compose(v -> reserve);
  }

  private void admit(Message<ExecutionJob> message) {
    ExecutionJob job = message.body();
    if (stopping) {
      reject(message, ErrorCode.SHUTTING_DOWN, "the gateway is shutting down");
      return;
    }
    if (!engineReady) {
      reject(message, ErrorCode.DOCKER_UNAVAILABLE,
        "the Docker engine does not answer yet; executions are taken once it does (see /ready)");
      return;
    }
    String owner = message.headers().get(Headers.OWNER);
    if (!reservations.take(message.headers().get(Headers.RESERVATION), owner)) {
      ErrorCode refused = refusal(message, 1);
      if (refused != null) {
        return;
      }
    }
    Share share = Share.of(message.headers());
    int position = projectedPosition(share);
    admitted.add(job.id());
    shares.put(job.id(), share);
    admittedPerOwner.merge(share.owner(), 1, Integer::sum);
    if (owner != null) {
      owners.put(job.id(), owner);
      perOwner.merge(owner, 1, Integer::sum);
    }
    executors.run(job)
      .onSuccess(registered -> {
        message.reply(new Admission(job.id(), position));
        if (Boolean.TRUE.equals(registered.body())) {
          // its image is known: the executor's answer asks for the slot in the same exchange
          acquire(job.id(), registered);
        }
      })
      .onFailure(err -> {
        forget(job.id());
        Replies.fail(message, err);
      });
  }

  /**
   * Checks that {@code count} more executions of the message's owner fit in the node's places and
   * in the owner's quota, counting the places reserved; refuses the message when they do not.
   *
   * @return the code the message was refused with, or {@code null} when they fit
   */
  private ErrorCode refusal(Message<?> message, int count) {
    int reserved = reservations.total();
    if (admitted.size() + reserved + count > maxConcurrent + maxQueued) {
      reject(message, ErrorCode.CAPACITY_EXHAUSTED, "at capacity: " + running.size() + " executions running and "
        + (admitted.size() - running.size() + reserved) + " waiting" + (count > 1 ? "; " + count + " more do not fit"
        : ""));
      return ErrorCode.CAPACITY_EXHAUSTED;
    }
    String owner = message.headers().get(Headers.OWNER);
    String ownerMax = message.headers().get(Headers.OWNER_MAX);
    if (owner != null && ownerMax != null) {
      int quota = Integer.parseInt(ownerMax);
      int current = perOwner.getOrDefault(owner, 0) + reservations.of(owner);
      if (current + count > quota) {
        reject(message, ErrorCode.QUOTA_EXCEEDED, count == 1
          ? "key '" + owner + "' already has " + current + " executions running or queued, its quota"
          : "key '" + owner + "' has " + current + " executions running or queued: " + count
          + " more would pass its quota of " + quota);
        return ErrorCode.QUOTA_EXCEEDED;
      }
    }
    return null;
  }

  /**
   * Holds {@code count} places for a batch, all or none: the reply is the reservation's id, which
   * each of its admits names.
   */
  private void reserve(Message<JsonObject> message) {
    int count = message.body().getInteger("count", 0);
    if (stopping) {
      reject(message, ErrorCode.SHUTTING_DOWN, "the gateway is shutting down");
      return;
    }
    if (!engineReady) {
      reject(message, ErrorCode.DOCKER_UNAVAILABLE,
        "the Docker engine does not answer yet; executions are taken once it does (see /ready)");
      return;
    }
    if (count < 1) {
      message.fail(ErrorCode.INVALID_REQUEST.number(), "a reservation holds one place at least");
      return;
    }
    if (refusal(message, count) != null) {
      return;
    }
    message.reply(reservations.hold(message.headers().get(Headers.OWNER), count));
  }

  private void reject(Message<?> message, ErrorCode code, String why) {
    metrics.rejected(code.id());
    message.fail(code.number(), why);
  }

  /**
   * @param message the request for a slot: the grant answers it, and the answer to the grant gives the
   *                slot back
   */
  private void acquire(String id, Message<?> message) {
    Share share = shares.get(id);
    if (!admitted.contains(id) || share == null) {
      message.fail(ErrorCode.CANCELLED.number(), "execution " + id + " is not admitted");
    } else if (running.size() < maxConcurrent && mayRun(share)) {
      // a free slot with eligible executions waiting would have gone to them already
      grant(id, share.owner(), message);
    } else {
      waiting.add(id, share.owner(), share.weight(), message);
    }
  }

  /**
   * @return whether an execution of this share may take a slot: a key below its share of the slots, or
   *   the anonymous caller
   */
  private boolean mayRun(Share share) {
    return !share.capped() || runningOf(share.owner()) < maxPerKey;
  }

  private void grant(String id, String owner, Message<?> message) {
    running.add(id);
    runningPerOwner.merge(owner, 1, Integer::sum);
    if (clustered) {
      announcements.started(id);
    }
    // the slot is held until the execution answers the grant; an execution gone without a word (its
    // request timed out, or its executor is gone) answers nothing, and the slot comes back then
    message.replyAndRequest(0, new DeliveryOptions().setSendTimeout(SLOT_HOLD_MS))
      .onComplete(ar -> {
        if (ar.failed() && running.contains(id)) {
          log.warn("execution {} did not give its run slot back ({}); taking it back", id, ar.cause().getMessage());
        }
        release(id);
      });
  }

  private void release(Message<String> message) {
    release(message.body());
    message.reply(null);
  }

  /**
   * Forgets an execution: it leaves the queue, or gives its slot back. Unknown ids are ignored.
   */
  private void release(String id) {
    Message<?> queued = waiting.remove(id);
    if (queued != null) {
      queued.fail(ErrorCode.CANCELLED.number(), "left the queue");
    }
    boolean known = admitted.contains(id);
    Share share = shares.get(id);
    forget(id);
    if (running.remove(id)) {
      runningPerOwner.computeIfPresent(share.owner(), (k, n) -> n > 1 ? n - 1 : null);
      grantNext();
    }
    if (known && clustered) {
      announcements.released(id);
    }
  }

  /**
   * Executions ahead of {@code id} in the queue's order; 0 when it holds a slot, -1 when this node
   * does not know it.
   */
  private void position(Message<String> message) {
    String id = message.body();
    if (running.contains(id)) {
      message.reply(0);
    } else if (waiting.contains(id)) {
      message.reply(waiting.position(id, this::runningOf));
    } else if (admitted.contains(id)) {
      // admitted, on its way to ask for a slot (its image may be pulled first)
      Share share = shares.get(id);
      message.reply(projectedPosition(share, pending(share.owner()) - 1, true));
    } else {
      message.reply(-1);
    }
  }

  /**
   * @return the executions of {@code owner} admitted but neither running nor waiting yet
   */
  private int pending(String owner) {
    return admittedPerOwner.getOrDefault(owner, 0) - runningPerOwner.getOrDefault(owner, 0) - waiting.waiting(owner);
  }

  private int projectedPosition(Share share) {
    return projectedPosition(share, pending(share.owner()), false);
  }

  /**
   * @param before   executions of the same owner that will ask for a slot before this one
   * @param admitted whether this one is admitted already (and counted among those on their way)
   * @return where an execution of {@code share} that asks for a slot now would stand: 0 when it gets
   *   one at once, else the executions ahead of it in the queue's order
   */
  private int projectedPosition(Share share, int before, boolean admitted) {
    String owner = share.owner();
    // the free slots left once the others' admitted executions on their way have theirs
    int othersOnTheirWay = Math.max(0, this.admitted.size() - running.size() - waiting.size() - before
      - (admitted ? 1 : 0));
    int free = Math.max(0, maxConcurrent - running.size() - othersOnTheirWay);
    int mine = share.capped() ? Math.max(0, maxPerKey - runningOf(owner)) : Integer.MAX_VALUE;
    int startNow = Math.min(free, mine);
    if (before < startNow) {
      return 0;
    }
    return waiting.projectedPosition(owner, share.weight(), before - startNow,
      o -> runningOf(o) + (o.equals(owner) ? startNow : 0));
  }

  /**
   * @return whether the key of execution {@code id} holds more than half of this node's run slots (the
   *   anonymous caller of a gateway without keys, its only tenant, never does)
   */
  private boolean heavy(String id) {
    Share share = shares.get(id);
    return share != null && share.capped() && runningOf(share.owner()) * 2 > maxConcurrent;
  }

  private int runningOf(String owner) {
    return runningPerOwner.getOrDefault(owner, 0);
  }

  private void forget(String id) {
    admitted.remove(id);
    Share share = shares.remove(id);
    if (share != null) {
      admittedPerOwner.computeIfPresent(share.owner(), (k, n) -> n > 1 ? n - 1 : null);
    }
    String owner = owners.remove(id);
    if (owner != null) {
      perOwner.computeIfPresent(owner, (k, n) -> n > 1 ? n - 1 : null);
    }
  }

  private void grantNext() {
    while (running.size() < maxConcurrent) {
      FairQueue.Entry<Message<?>> next = waiting.poll(e -> mayRun(shares.get(e.id)), this::runningOf);
      if (next == null) {
        return;
      }
      grant(next.id, next.owner, next.value);
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return Future.succeededFuture();
  }
}
