package io.execgate.cluster;

import io.execgate.bus.Addresses;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageList;
import io.execgate.model.ImageRequest;
import io.execgate.model.ImageStats;
import io.execgate.model.PoolKey;
import io.execgate.model.PoolState;
import io.execgate.model.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * On a gateway node, which has no image cache or warm pool of its own, answers the node-local
 * questions the HTTP API asks, for the whole cluster: ready when a worker is ready, the warm pools
 * summed over the workers, the images merged (present when a worker has it), and pre-pulls sent to
 * every worker. On the dispatcher's context.
 */
final class WorkerQueries {

  private static final long TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final Addresses addresses;
  private final WorkerDirectory directory;
  private final String clusterName;
  private final long prePullTimeoutMs;

  WorkerQueries(Vertx vertx, Addresses addresses, WorkerDirectory directory, String clusterName, long prePullTimeoutMs) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.directory = directory;
    this.clusterName = clusterName;
    this.prePullTimeoutMs = prePullTimeoutMs;
  }

  Future<?> register() {
    var bus = vertx.eventBus();
    return Future.all(
      bus.<Void>localConsumer(addresses.imageReady(), m -> m.reply(readiness())).completion(),
      bus.<Void>localConsumer(addresses.poolState(), m -> m.reply(pools())).completion(),
      bus.<Void>localConsumer(addresses.imageList(), this::images).completion(),
      bus.<ImageRequest>localConsumer(addresses.imageEnsure(), this::prePull).completion());
  }

  private List<WorkerDirectory.Worker> live() {
    long now = System.currentTimeMillis();
    return directory.all().stream().filter(w -> directory.usable(w, now)).toList();
  }

  Readiness readiness() {
    return live().isEmpty() ? new Readiness(false, false, noWorker(directory, clusterName))
      : new Readiness(true, true, null);
  }

  /**
   * @return why no worker of the cluster takes work, worker by worker
   */
  static String noWorker(WorkerDirectory directory, String clusterName) {
    long now = System.currentTimeMillis();
    List<String> why = directory.all().stream().map(w -> w.advert.instanceId() + ": " + directory.why(w, now)).toList();
    return "no worker of cluster '" + clusterName + "' is ready" + (why.isEmpty() ? " (none has joined)"
      : ": " + String.join("; ", why));
  }

  PoolState pools() {
    Map<PoolKey, PoolState.Pool> sum = new LinkedHashMap<>();
    boolean enabled = false;
    for (WorkerDirectory.Worker w : live()) {
      PoolState p = w.advert.pools();
      if (p == null) {
        continue;
      }
      enabled |= p.enabled();
      for (PoolState.Pool pool : p.pools()) {
        sum.merge(pool.key(), pool, (a, b) -> new PoolState.Pool(a.key(), a.ready() + b.ready(), a.target() + b.target(),
          a.creating() + b.creating(), a.taken() + b.taken(), Math.max(a.failures(), b.failures()),
          a.lastError() != null ? a.lastError() : b.lastError()));
      }
    }
    return new PoolState(enabled, new ArrayList<>(sum.values()));
  }

  private void images(Message<Void> message) {
    List<Future<ImageList>> lists = live().stream()
      .map(w -> vertx.eventBus().<ImageList>request(addresses.workerImages(w.advert.nodeId()), null,
        new DeliveryOptions().setSendTimeout(TIMEOUT_MS)).map(Message::body))
      .toList();
    Future.join(lists).onComplete(ar -> {
      Map<String, ImageInfo> merged = new LinkedHashMap<>();
      long[] stats = new long[8];
      for (Future<ImageList> f : lists) {
        if (f.failed()) {
          continue;
        }
        for (ImageInfo info : f.result().images()) {
          // present somewhere wins: executions go where the image is
          merged.merge(info.image(), info, (a, b) -> a.usable() || !b.usable() ? a : b);
        }
        ImageStats s = f.result().stats();
        long[] add = {s.ensures(), s.cacheHits(), s.pullsStarted(), s.pullsSucceeded(), s.pullsFailed(),
          s.pullAttempts(), s.retries(), s.refused()};
        for (int i = 0; i < stats.length; i++) {
          stats[i] += add[i];
        }
      }
      message.reply(new ImageList(new ArrayList<>(merged.values()), new ImageStats(stats[0], stats[1], stats[2],
        stats[3], stats[4], stats[5], stats[6], stats[7])));
    });
  }

  /**
   * Pre-pulls on every worker; answers with a worker's state of the image, a usable one first.
   */
  private void prePull(Message<ImageRequest> message) {
    List<Future<ImageInfo>> infos = live().stream()
      .map(w -> vertx.eventBus().<ImageInfo>request(addresses.workerPrePull(w.advert.nodeId()), message.body(),
        new DeliveryOptions().setSendTimeout(message.body().untilUsable() ? prePullTimeoutMs : TIMEOUT_MS))
        .map(Message::body))
      .toList();
    if (infos.isEmpty()) {
      message.fail(ErrorCode.NOT_READY.number(), noWorker(directory, clusterName));
      return;
    }
    Future.join(infos).onComplete(ar -> {
      ImageInfo best = null;
      Throwable failure = null;
      for (Future<ImageInfo> f : infos) {
        if (f.failed()) {
          failure = failure == null ? f.cause() : failure;
        } else if (best == null || (!best.usable() && f.result().usable())) {
          best = f.result();
        }
      }
      if (best != null) {
        message.reply(best);
      } else {
        Replies.fail(message, failure != null ? failure
          : new GatewayException(ErrorCode.INTERNAL, "no worker answered"));
      }
    });
  }
}
