package io.execgate.pool;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Headers;
import io.execgate.bus.ImageChannel;
import io.execgate.bus.SchedulerChannel;
import io.execgate.config.ExecutorOptions;
import io.execgate.config.PoolOptions;
import io.execgate.docker.AttachedOutput;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerRemover;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.ContainerSpec;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.executor.launcher.JobScript;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.ImageInfo;
import io.execgate.model.PoolKey;
import io.execgate.model.PoolState;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Keeps, per runtime image, a few sandbox containers created and started ahead of demand, each
 * blocked in the launcher waiting for its one program. An execution takes one over the event bus
 * (its id only), delivers its program over stdin and removes it afterwards: a container serves
 * exactly one execution. Pools refill in the background; warm containers older than the maximum
 * idle age are replaced. When an image is absent or the engine fails to create containers, the
 * pool is simply empty and executions start cold. A single event-loop instance owns this state.
 * <p>
 * Nothing of an image is pooled before the image cache has checked it: the pool asks the cache to
 * make its image usable (which runs the sandbox check once per image id), creates its containers
 * from the checked id, and hands a container only to an execution whose own check gave the same id.
 * A refused image's pool stays empty and says why ({@code lastError}); a tag moved to another image
 * is noticed within {@value #IMAGE_RECHECK_MS} ms while executions come, and the containers of the old
 * id are dropped. An idle gateway checks less often (see {@link IdleCadence}): every take compares
 * the execution's image id with the pool's and looks again at once when they differ, so a late check
 * never hands out a container of another image.
 */
public final class WarmPoolVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WarmPoolVerticle.class);
  private static final long TICK_MS = 1_000;
  private static final long MAX_BACKOFF_MS = 30_000;
  static final long IMAGE_RECHECK_MS = 10_000;
  /**
   * How often the engine is asked which warm containers still run. A listing costs the gateway a few
   * ms of CPU (most of its idle cost when it ran every tick); a container that died in between is
   * still caught when an execution takes it (its attach fails and the run starts cold).
   */
  static final long VALIDATE_MS = 10_000;

  private final GatewayOptions options;
  private final ContainerRuntime runtime;
  private final PoolOptions poolOptions;
  private final Map<PoolKey, ImagePool> pools = new LinkedHashMap<>();
  private int creating;
  private long tick = -1;
  private boolean stopping;
  private boolean validating;
  private long validatedAt;
  private final IdleCadence cadence = new IdleCadence();
  private final List<Future<Void>> inFlight = new ArrayList<>();
  private ContainerRemover remover;
  private Addresses addresses;
  private ImageChannel images;
  private final WarmHandoff handoff;

  /**
   * @param handoff where the pool leaves its containers' streams for the executors (one per node)
   */
  public WarmPoolVerticle(GatewayOptions options, ContainerRuntime runtime, WarmHandoff handoff) {
    this.options = new GatewayOptions(options);
    this.runtime = runtime;
    this.handoff = handoff;
    this.poolOptions = this.options.getExecutor().getPool();
  }

  @Override
  public Future<?> start() {
    remover = new ContainerRemover(vertx, runtime);
    addresses = new Addresses(options.getAddressPrefix());
    images = new ImageChannel(vertx.eventBus(), addresses);
    GatewayMetrics metrics = GatewayMetrics.of(vertx, options.getAddressPrefix());
    for (RuntimeSpec spec : options.resolvedRuntimes()) {
      if (!poolOptions.pools(spec.name())) {
        continue;
      }
      PoolKey key = PoolKey.of(spec, spec.image());
      if (!pools.containsKey(key)) {
        ImagePool pool = new ImagePool(key);
        pools.put(key, pool);
        String image = key.image() + (key.tmpfsExec() ? " (exec)" : "")
          + (key.ociRuntime() != null ? " (" + key.ociRuntime() + ")" : "");
        metrics.gauge("execgate_pool_ready", "Warm containers waiting", pool, p -> p.ready.size(), "image", image);
        metrics.functionCounter("execgate_pool_taken", "Warm containers handed to executions", () -> pool.taken,
          "image", image);
        metrics.functionCounter("execgate_pool_refill_failures", "Failed attempts to create a warm container",
          () -> pool.failuresTotal, "image", image);
      }
    }
    var bus = vertx.eventBus();
    return Future.all(
        bus.<PoolKey>localConsumer(addresses.poolTake(), this::onTake).completion(),
        bus.<Void>localConsumer(addresses.poolState(), this::onState).completion())
      .onSuccess(v -> {
        if (poolOptions.isEnabled() && poolOptions.getSize() > 0) {
          tick = vertx.setPeriodic(TICK_MS, t -> maintain());
          maintain();
        }
      });
  }

  private void onTake(Message<PoolKey> message) {
    cadence.asked();
    ImagePool pool = pools.get(message.body());
    String imageId = message.headers().get(Headers.IMAGE_ID);
    String execution = message.headers().get(Headers.EXECUTION);
    if (pool != null && imageId != null && !imageId.equals(pool.imageId) && !pool.imageChecking) {
      // the execution's check saw another image under this name: look again at once
      pool.imageCheckedAt = 0;
      checkImage(pool);
    }
    if (pool == null || stopping || imageId == null || !imageId.equals(pool.imageId) || pool.ready.isEmpty()) {
      message.reply(null);
    } else if (pool.ready.size() > 1 || execution == null) {
      give(pool, message);
    } else {
      // the last one: a key that floods the node starts cold, and leaves it to the others
      new SchedulerChannel(vertx.eventBus(), addresses).heavy(execution)
        .otherwise(false)
        .onSuccess(heavy -> {
          if (heavy || stopping || pool.ready.isEmpty() || !imageId.equals(pool.imageId)) {
            message.reply(null);
          } else {
            give(pool, message);
          }
        });
    }
  }

  private void give(ImagePool pool, Message<PoolKey> message) {
    WarmContainer warm = pool.ready.pollFirst();
    pool.taken++;
    message.reply(warm.id());
    refill(pool);
  }

  private void onState(Message<Void> message) {
    List<PoolState.Pool> list = new ArrayList<>();
    for (ImagePool p : pools.values()) {
      list.add(new PoolState.Pool(p.key, p.ready.size(), target(p), p.creating, p.taken, p.failures,
        p.refusal != null ? p.refusal : p.lastError));
    }
    message.reply(new PoolState(poolOptions.isEnabled(), list));
  }

  /**
   * @return how many containers the pool keeps: none for an absent or refused image; while the image cache
   *   checks the image, the full size, though nothing is created before the check gives its id
   */
  private int target(ImagePool p) {
    return poolOptions.isEnabled() && p.imagePresent && p.refusal == null ? poolOptions.getSize() : 0;
  }

  private void maintain() {
    if (stopping) {
      return;
    }
    validate();
    long now = System.currentTimeMillis();
    long maxIdleMs = poolOptions.getMaxIdleSeconds() * 1000;
    for (ImagePool p : pools.values()) {
      while (!p.ready.isEmpty() && now - p.ready.peekFirst().createdAt() > maxIdleMs) {
        discard(p.ready.pollFirst().id());
      }
      if (now - p.imageCheckedAt >= cadence.interval(IMAGE_RECHECK_MS, now)) {
        checkImage(p);
      }
      refill(p);
    }
  }

  /**
   * Pools only images that are present (the image cache pulls the others on demand) and that the image
   * cache checked: the pool takes the id it checked, and drops containers of any other.
   */
  private void checkImage(ImagePool p) {
    if (p.imageChecking || stopping) {
      return;
    }
    p.imageChecking = true;
    p.imageCheckedAt = System.currentTimeMillis();
    runtime.imagePresent(p.key.image())
      .compose(present -> {
        p.imagePresent = present;
        if (!present) {
          return Future.<ImageInfo>succeededFuture(null);
        }
        return images.usable(p.key.image(), options.getImages().ensureDeadlineMs());
      })
      .onSuccess(info -> {
        if (info == null) {
          return;
        }
        p.refusal = null;
        if (!info.id().equals(p.imageId)) {
          if (p.imageId != null) {
            log.info("warm pool for {}: the image is now {} (was {}); replacing its containers", p.key.image(),
              info.id(), p.imageId);
          }
          p.imageId = info.id();
          drain(p, w -> !w.imageId().equals(info.id()));
        }
        refill(p);
      })
      .onFailure(err -> {
        GatewayException ge = Replies.toGatewayException(err);
        if (ge.code() == ErrorCode.IMAGE_REFUSED) {
          if (p.refusal == null) {
            log.warn("warm pool for {} stays empty: {}", p.key.image(), ge.getMessage());
          }
          p.refusal = ge.getMessage();
          p.imageId = null;
          drain(p, w -> true);
        } else {
          p.lastError = ge.getMessage();
        }
      })
      .onComplete(ar -> p.imageChecking = false);
  }

  private void drain(ImagePool p, Predicate<WarmContainer> which) {
    p.ready.removeIf(w -> {
      if (which.test(w)) {
        discard(w.id());
        return true;
      }
      return false;
    });
  }

  private void refill(ImagePool p) {
    long now = System.currentTimeMillis();
    while (!stopping && p.imageId != null && p.ready.size() + p.creating < target(p)
      && creating < poolOptions.getRefillConcurrency() && now >= p.retryAt) {
      p.creating++;
      creating++;
      String imageId = p.imageId;
      Future<Void> created = createWarm(p.key, imageId)
        .compose(id -> {
          p.failures = 0;
          p.lastError = null;
          if (stopping || !imageId.equals(p.imageId)) {
            // stop() waits for this removal: the runtime is closed after it; or the pool's image changed meanwhile
            return discard(id);
          }
          p.ready.addLast(new WarmContainer(id, System.currentTimeMillis(), imageId));
          return Future.<Void>succeededFuture();
        })
        .recover(err -> {
          p.failures++;
          p.failuresTotal++;
          p.lastError = err.getMessage();
          long backoff = Math.min(MAX_BACKOFF_MS, 500L << Math.min(p.failures, 6));
          p.retryAt = System.currentTimeMillis() + backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
          log.warn("warm pool for {} cannot refill ({} failure(s)): {}", p.key.image(), p.failures, err.getMessage());
          return Future.succeededFuture();
        })
        .andThen(ar -> {
          p.creating--;
          creating--;
          if (!stopping) {
            pools.values().forEach(this::refill);
          }
        });
      inFlight.add(created);
      created.onComplete(ar -> inFlight.remove(created));
    }
  }

  private Future<String> createWarm(PoolKey key, String imageId) {
    ExecutorOptions executor = options.getExecutor();
    ResourceLimits limits = executor.getLimits();
    byte[] random = new byte[6];
    ThreadLocalRandom.current().nextBytes(random);
    ContainerSpec spec = new ContainerSpec("execgate-warm-" + HexFormat.of().formatHex(random), imageId,
      JobScript.COMMAND, ContainerLabels.of(options.getInstanceId(), ContainerLabels.WARM), executor.getUid(),
      (long) limits.memoryMb() << 20, Math.round(limits.cpus() * 1e9), limits.pids(), (long) executor.getTmpfsMb() << 20,
      key.tmpfsExec(), executor.getNofile(), key.ociRuntime() != null ? key.ociRuntime() : options.getDocker().getOciRuntime(),
      List.of("HOME=/tmp"));
    return runtime.create(spec)
      .compose(id -> runtime.start(id)
        .compose(v -> Future.all(runtime.attachOutput(id), runtime.attachStdin(id)))
        .map(all -> {
          // attached now, the launcher blocked on its stdin: taking it costs no engine call
          AttachedOutput output = all.resultAt(0);
          output.pause();
          output.endHandler(ended -> dropDead(id));
          handoff.put(id, new WarmStreams(output, all.resultAt(1)));
          return id;
        })
        .recover(err -> remover.remove(id).transform(ar -> Future.failedFuture(err))));
  }

  /**
   * A warm container's output ended before anyone took it: it died (engine restart, removal).
   */
  private void dropDead(String id) {
    for (ImagePool p : pools.values()) {
      if (p.ready.removeIf(w -> w.id().equals(id))) {
        log.warn("warm container {} ended while waiting; dropping it", id);
        discard(id);
      }
    }
  }

  private Future<Void> discard(String id) {
    WarmStreams s = handoff.take(id);
    if (s != null) {
      s.close();
    }
    return remover.remove(id);
  }

  /**
   * Drops warm containers that are no longer running (the engine restarted, someone removed them),
   * so that no execution is handed a dead one.
   */
  private void validate() {
    long now = System.currentTimeMillis();
    if (validating || now - validatedAt < cadence.interval(VALIDATE_MS, now)
      || pools.values().stream().allMatch(p -> p.ready.isEmpty())) {
      return;
    }
    validating = true;
    validatedAt = now;
    runtime.listRunning(ContainerLabels.of(options.getInstanceId(), ContainerLabels.WARM))
      .onSuccess(running -> {
        Set<String> alive = new HashSet<>(running);
        for (ImagePool p : pools.values()) {
          p.ready.removeIf(w -> {
            boolean dead = !alive.contains(w.id()) && System.currentTimeMillis() - w.createdAt() > 2_000;
            if (dead) {
              log.warn("warm container {} is gone or stopped; dropping it", w.id());
              discard(w.id());
            }
            return dead;
          });
        }
      })
      .onFailure(err -> {
        // the engine does not answer: keep them, the next round (with the engine back) tells the dead ones
      })
      .onComplete(ar -> validating = false);
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (tick >= 0) {
      vertx.cancelTimer(tick);
    }
    List<Future<Void>> removals = new ArrayList<>();
    for (ImagePool p : pools.values()) {
      while (!p.ready.isEmpty()) {
        removals.add(discard(p.ready.pollFirst().id()));
      }
    }
    removals.addAll(inFlight);
    return Future.join(removals).timeout(20, TimeUnit.SECONDS).otherwiseEmpty()
      .compose(v -> remover.stop());
  }
}
