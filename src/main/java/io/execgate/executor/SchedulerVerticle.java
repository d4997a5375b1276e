package io.execgate.executor;

import io.execgate.bus.Addresses;
import io.execgate.bus.Headers;
import io.execgate.error.ErrorCode;
import io.execgate.error.Replies;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Admission control of one node: at most {@code maxConcurrent} containers run, at most
 * {@code maxQueued} admitted executions wait, anything beyond is refused at once. A single
 * event-loop instance owns this state, so it needs no locks.
 */
public final class SchedulerVerticle extends VerticleBase {

  private final Addresses addresses;
  private final int maxConcurrent;
  private final int maxQueued;
  private final Set<String> admitted = new HashSet<>();
  private final Set<String> running = new HashSet<>();
  private final LinkedHashMap<String, Message<String>> waiting = new LinkedHashMap<>();
  /** Admitted executions charged to an API key, and how many each key has. */
  private final Map<String, String> owners = new HashMap<>();
  private final Map<String, Integer> perOwner = new HashMap<>();
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
    this.clustered = clustered;
  }

  @Override
  public Future<?> start() {
    metrics = GatewayMetrics.of(vertx, addresses.prefix());
    metrics.gauge("execgate_running", "Executions holding a run slot", this, s -> s.running.size());
    metrics.gauge("execgate_queue_depth", "Admitted executions waiting for a run slot", this,
      s -> s.admitted.size() - s.running.size());
    metrics.gauge("execgate_capacity", "Run slots of this node", this, s -> s.maxConcurrent);
    var bus = vertx.eventBus();
    return Future.all(
      bus.<ExecutionJob>localConsumer(clustered ? addresses.schedulerNodeAdmit() : addresses.schedulerAdmit(),
        this::admit).completion(),
      bus.<String>localConsumer(addresses.schedulerAcquire(), this::acquire).completion(),
      bus.<String>localConsumer(addresses.schedulerRelease(), this::release).completion(),
      bus.<String>localConsumer(addresses.schedulerPosition(), this::position).completion(),
      bus.<Boolean>localConsumer(addresses.schedulerEngineReady(), m -> {
        engineReady = true;
        m.reply(null);
      }).completion());
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
    if (admitted.size() >= maxConcurrent + maxQueued) {
      reject(message, ErrorCode.CAPACITY_EXHAUSTED, "at capacity: " + running.size() + " executions running and "
        + (admitted.size() - running.size()) + " waiting");
      return;
    }
    String owner = message.headers().get(Headers.OWNER);
    String ownerMax = message.headers().get(Headers.OWNER_MAX);
    if (owner != null && ownerMax != null) {
      int quota = Integer.parseInt(ownerMax);
      int current = perOwner.getOrDefault(owner, 0);
      if (current >= quota) {
        reject(message, ErrorCode.QUOTA_EXCEEDED, "key '" + owner + "' already has " + current
          + " executions running or queued, its quota");
        return;
      }
    }
    admitted.add(job.id());
    if (owner != null) {
      owners.put(job.id(), owner);
      perOwner.merge(owner, 1, Integer::sum);
    }
    int position = Math.max(0, admitted.size() - maxConcurrent);
    DeliveryOptions run = new DeliveryOptions().setSendTimeout(30_000);
    if (owner != null) {
      // the executor charges the record's output to the key
      run.addHeader(Headers.OWNER, owner);
    }
    vertx.eventBus().request(addresses.executorRun(), job, run)
      .onSuccess(ok -> message.reply(new Admission(job.id(), position)))
      .onFailure(err -> {
        forget(job.id());
        Replies.fail(message, err);
      });
  }

  private void reject(Message<?> message, ErrorCode code, String why) {
    metrics.rejected(code.id());
    message.fail(code.number(), why);
  }

  private void acquire(Message<String> message) {
    String id = message.body();
    if (!admitted.contains(id)) {
      message.fail(ErrorCode.CANCELLED.number(), "execution " + id + " is not admitted");
    } else if (running.size() < maxConcurrent) {
      running.add(id);
      tell(addresses.schedulerStarted(), id);
      message.reply(0);
    } else {
      waiting.put(id, message);
    }
  }

  private void release(Message<String> message) {
    String id = message.body();
    Message<String> queued = waiting.remove(id);
    if (queued != null) {
      queued.fail(ErrorCode.CANCELLED.number(), "left the queue");
    }
    boolean known = admitted.contains(id);
    forget(id);
    if (running.remove(id)) {
      grantNext();
    }
    if (known) {
      tell(addresses.schedulerReleased(), id);
    }
    message.reply(null);
  }

  /**
   * Executions ahead of {@code id}: those waiting for a slot before it; 0 when it holds one, -1 when
   * this node does not know it.
   */
  private void position(Message<String> message) {
    String id = message.body();
    if (running.contains(id)) {
      message.reply(0);
      return;
    }
    int ahead = 0;
    for (String waitingId : waiting.keySet()) {
      if (waitingId.equals(id)) {
        message.reply(ahead);
        return;
      }
      ahead++;
    }
    // admitted, on its way to ask for a slot: behind everyone waiting
    message.reply(admitted.contains(id) ? waiting.size() : -1);
  }

  private void tell(String address, String id) {
    if (clustered) {
      vertx.eventBus().publish(address, id, new DeliveryOptions().setLocalOnly(true));
    }
  }

  private void forget(String id) {
    admitted.remove(id);
    String owner = owners.remove(id);
    if (owner != null) {
      perOwner.computeIfPresent(owner, (k, n) -> n > 1 ? n - 1 : null);
    }
  }

  private void grantNext() {
    while (running.size() < maxConcurrent && !waiting.isEmpty()) {
      var next = waiting.entrySet().iterator().next();
      waiting.remove(next.getKey());
      running.add(next.getKey());
      tell(addresses.schedulerStarted(), next.getKey());
      next.getValue().reply(0);
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return Future.succeededFuture();
  }
}
