package io.execgate.image;

import io.execgate.GatewayOptions;
import io.execgate.config.Backoff;
import io.execgate.config.ImageCacheOptions;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.ImageDetails;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageList;
import io.execgate.model.ImageState;
import io.execgate.model.ImageStats;
import io.execgate.model.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The image cache's state and logic, confined to its verticle's event loop (no locks).
 * <p>
 * Making an image usable is one flow per image: find it locally (a runtime's unqualified image
 * under its own name first, then as the registry's copy), else pull it, then check it (once per
 * image id). Whoever asks while a flow runs waits for that flow, so twenty executions of a missing
 * image cause one pull. A pull retries transient failures (unreachable or failing registry, pull
 * timeout, engine trouble) with exponential backoff and jitter on timers, never a sleeping thread;
 * a missing image or refused credentials end it at once.
 */
final class ImageCache {

  private static final Logger log = LoggerFactory.getLogger(ImageCache.class);
  /** How long the engine's word that an image is present is trusted without asking again. */
  private static final long CONFIRMED_TTL_MS = ConfirmedImages.CONFIRMED_TTL_MS;
  /** Images remembered at most; beyond, the oldest idle ones are forgotten. */
  static final int MAX_ENTRIES = 1024;

  private final Vertx vertx;
  private final ContainerRuntime runtime;
  private final ImageCacheOptions options;
  private final ImagePolicy policy;
  /** What this cache confirmed a moment ago, which the node's executors read without asking. */
  private final ConfirmedImages confirmed;
  private final SandboxCheck check;
  private final Map<String, ImageEntry> entries = new LinkedHashMap<>();
  /** Pulls in flight by the reference pulled. */
  private final Map<String, Future<Void>> pulls = new HashMap<>();
  /** Verdicts by image id: "" when fine, else why the image is refused. */
  private final Map<String, String> verdicts = new LinkedHashMap<>();
  /** Checks in flight by image id. */
  private final Map<String, Future<String>> checks = new HashMap<>();

  private long ensures;
  private long cacheHits;
  private long pullsStarted;
  private long pullsSucceeded;
  private long pullsFailed;
  private long pullAttempts;
  private long retries;
  private long refused;
  /** The engine probe of {@link #readiness()} under way, which every caller meanwhile shares. */
  private Future<Readiness> readinessProbe;

  ImageCache(Vertx vertx, ContainerRuntime runtime, GatewayOptions options, ConfirmedImages confirmed) {
    this.vertx = vertx;
    this.confirmed = confirmed;
    this.runtime = runtime;
    this.options = options.getImages();
    this.policy = new ImagePolicy(options.resolvedRuntimes(), options.getImages());
    this.check = new SandboxCheck(vertx, runtime, options);
  }

  /**
   * @param untilUsable whether to answer only once the image is usable, rather than at once with its state
   * @param onPulling   called with the image's state when a pull must run first (the pull may be another
   *                    request's), or {@code null}
   */
  Future<ImageInfo> ensure(String image, boolean untilUsable, Handler<ImageInfo> onPulling) {
    ensures++;
    String name;
    try {
      name = policy.resolve(image);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(GatewayException.invalid("image", e.getMessage()));
    }
    ImageEntry e = entry(name);
    if (e.flow == null && e.state == ImageState.PRESENT
      && System.currentTimeMillis() - e.confirmedAt < CONFIRMED_TTL_MS) {
      // confirmed a moment ago: a warm execution's hot path asks the engine nothing
      cacheHits++;
      e.lastUsedAt = System.currentTimeMillis();
      return Future.succeededFuture(e.info());
    }
    if (e.flow == null && e.state == ImageState.PRESENT) {
      // the usual case: confirm the image is still there (someone may have removed or replaced it)
      String id = e.id;
      return runtime.inspectImage(e.localImage).compose(d -> {
        if (d != null && d.id().equals(id) && e.flow == null && e.state == ImageState.PRESENT) {
          cacheHits++;
          e.usable();
          confirmed.confirmed(e.info(), e.confirmedAt);
          return Future.succeededFuture(e.info());
        }
        return join(e, untilUsable, onPulling);
      });
    }
    return join(e, untilUsable, onPulling);
  }

  private ImageEntry entry(String name) {
    ImageEntry e = entries.get(name);
    if (e == null) {
      e = new ImageEntry(name);
      entries.put(name, e);
      Iterator<ImageEntry> oldest = entries.values().iterator();
      while (entries.size() > MAX_ENTRIES && oldest.hasNext()) {
        ImageEntry candidate = oldest.next();
        if (candidate.flow == null && candidate != e) {
          oldest.remove();
        }
      }
    }
    return e;
  }

  private Future<ImageInfo> join(ImageEntry e, boolean untilUsable, Handler<ImageInfo> onPulling) {
    if (e.flow != null) {
      e.waiting++;
      notePulling(e.known.future(), onPulling);
      return untilUsable ? e.flow : e.known.future();
    }
    Promise<ImageInfo> done = Promise.promise();
    Promise<ImageInfo> known = Promise.promise();
    e.flow = done.future();
    // while the flow runs the cache does not answer from memory, and neither does the view
    confirmed.forget(e.image);
    e.known = known;
    e.waiting = 1;
    e.pulled = false;
    // taken before the flow starts: it may end (and clear the entry's flow) before start returns
    Future<ImageInfo> mine = untilUsable ? done.future() : known.future();
    notePulling(known.future(), onPulling);
    start(e, done, known);
    return mine;
  }

  private static void notePulling(Future<ImageInfo> known, Handler<ImageInfo> onPulling) {
    if (onPulling != null) {
      known.onSuccess(info -> {
        if (info.state() == ImageState.PULLING) {
          onPulling.handle(info);
        }
      });
    }
  }

  private void start(ImageEntry e, Promise<ImageInfo> done, Promise<ImageInfo> known) {
    makeUsable(e, known).onComplete(ar -> {
      if (ar.succeeded() && !e.pulled) {
        cacheHits += e.waiting;
      }
      e.flow = null;
      e.known = null;
      if (ar.succeeded()) {
        confirmed.confirmed(e.info(), e.confirmedAt);
        known.tryComplete(ar.result());
      } else {
        known.tryFail(ar.cause());
      }
      done.handle(ar);
    });
  }

  private record Located(String image, ImageDetails details) {
  }

  private Future<ImageInfo> makeUsable(ImageEntry e, Promise<ImageInfo> known) {
    String fallback = policy.registryFallback(e.image);
    return runtime.inspectImage(e.image)
      .compose(d -> d != null || fallback == null ? Future.succeededFuture(new Located(e.image, d))
        : runtime.inspectImage(fallback).map(fd -> new Located(fallback, fd)))
      .compose(loc -> {
        e.localImage = loc.image();
        if (loc.details() != null) {
          return verify(e, loc.details(), known);
        }
        e.pulled = true;
        e.state = ImageState.PULLING;
        e.attempts = 0;
        e.errorCode = null;
        e.error = null;
        known.tryComplete(e.info());
        return pull(e, loc.image())
          .compose(v -> runtime.inspectImage(loc.image()))
          .compose(d -> d != null ? verify(e, d, known) : Future.failedFuture(new GatewayException(
            ErrorCode.IMAGE_PULL_FAILED, "the engine pulled " + loc.image() + " but does not have it")));
      })
      .recover(err -> {
        GatewayException ge = Replies.toGatewayException(err);
        if (e.state != ImageState.REFUSED) {
          e.failed(ImageState.FAILED, ge);
        }
        return Future.failedFuture(ge);
      });
  }

  private Future<ImageInfo> verify(ImageEntry e, ImageDetails d, Promise<ImageInfo> known) {
    e.present(d.id(), d.sizeBytes());
    String verdict = verdicts.get(d.id());
    Future<String> decided;
    if (verdict != null) {
      decided = Future.succeededFuture(verdict.isEmpty() ? null : verdict);
    } else {
      e.state = ImageState.CHECKING;
      known.tryComplete(e.info());
      decided = check(e.localImage, d);
    }
    return decided.compose(refusal -> {
      if (refusal != null) {
        GatewayException ge = new GatewayException(ErrorCode.IMAGE_REFUSED, refusal);
        e.failed(ImageState.REFUSED, ge);
        return Future.failedFuture(ge);
      }
      e.usable();
      return Future.succeededFuture(e.info());
    });
  }

  private Future<String> check(String image, ImageDetails d) {
    Future<String> running = checks.get(d.id());
    if (running != null) {
      return running;
    }
    String problem = SandboxCheck.configProblem(image, d);
    if (problem != null) {
      remember(d.id(), image, problem);
      return Future.succeededFuture(problem);
    }
    Promise<String> verdict = Promise.promise();
    checks.put(d.id(), verdict.future());
    long start = System.nanoTime();
    check.check(image, d.id()).onComplete(ar -> {
      checks.remove(d.id());
      if (ar.succeeded()) {
        remember(d.id(), image, ar.result());
        if (ar.result() == null) {
          log.info("image {} ({}) checked in {} ms: fit for sandboxes", image, d.id(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
      }
      verdict.handle(ar);
    });
    return verdict.future();
  }

  private void remember(String id, String image, String refusal) {
    verdicts.put(id, refusal == null ? "" : refusal);
    if (verdicts.size() > MAX_ENTRIES) {
      verdicts.remove(verdicts.keySet().iterator().next());
    }
    if (refusal != null) {
      refused++;
      log.warn("refusing image {}: {}", image, refusal);
    }
  }

  private Future<Void> pull(ImageEntry e, String target) {
    Future<Void> running = pulls.get(target);
    if (running != null) {
      return running;
    }
    Promise<Void> pulled = Promise.promise();
    pulls.put(target, pulled.future());
    pullsStarted++;
    long start = System.nanoTime();
    attempt(e, target, 1).onComplete(ar -> {
      pulls.remove(target);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (ar.succeeded()) {
        pullsSucceeded++;
        log.info("pulled {} in {} ms ({} attempt(s))", target, ms, e.attempts);
      } else {
        pullsFailed++;
        log.warn("pulling {} failed after {} ms: {}", target, ms, ar.cause().getMessage());
      }
      pulled.handle(ar);
    });
    return pulled.future();
  }

  private Future<Void> attempt(ImageEntry e, String target, int n) {
    e.attempts = n;
    pullAttempts++;
    if (n > 1) {
      retries++;
    }
    int max = options.getPullRetries() + 1;
    log.info("pulling {} (attempt {} of {})", target, n, max);
    return runtime.pull(target, options.getPullTimeoutSeconds() * 1000,
        options.getCredentials().get(ImagePolicy.registryOf(target)))
      .recover(err -> {
        GatewayException ge = Replies.toGatewayException(err);
        boolean transientFailure = ge.code() == ErrorCode.IMAGE_PULL_FAILED || ge.code() == ErrorCode.DOCKER_UNAVAILABLE;
        if (!transientFailure) {
          return Future.failedFuture(ge);
        }
        if (n >= max) {
          return Future.failedFuture(new GatewayException(ge.code(), ge.getMessage()
            + (max > 1 ? " (gave up after " + n + " attempts)" : "")));
        }
        e.errorCode = ge.code().id();
        e.error = ge.getMessage();
        long delay = Backoff.delayMs(options.getPullRetryDelayMs(), options.getPullRetryMaxDelayMs(), n,
          ThreadLocalRandom.current().nextDouble());
        log.warn("attempt {} of {} failed: {}; retrying in {} ms", n, max, ge.getMessage(), delay);
        return vertx.timer(delay, TimeUnit.MILLISECONDS).compose(v -> attempt(e, target, n + 1));
      });
  }

  ImageList list() {
    var infos = new ArrayList<>(entries.values());
    infos.sort(Comparator.comparing(x -> x.image));
    return new ImageList(infos.stream().map(ImageEntry::info).toList(), stats());
  }

  ImageStats stats() {
    // an execution answered by the view would have been a cache hit here
    long viewHits = confirmed.hits();
    return new ImageStats(ensures + viewHits, cacheHits + viewHits, pullsStarted, pullsSucceeded, pullsFailed, pullAttempts, retries,
      refused);
  }

  /**
   * @return ready when the engine answers and the default image is present locally (and not refused)
   */
  Future<Readiness> readiness() {
    // GET /ready is anyone's to call: however often it is, one probe of the engine at a time
    Future<Readiness> probe = readinessProbe;
    if (probe == null) {
      probe = probeReadiness();
      if (!probe.isComplete()) {
        readinessProbe = probe;
        probe.onComplete(ar -> readinessProbe = null);
      }
    }
    return probe;
  }

  private Future<Readiness> probeReadiness() {
    String base = policy.resolve(options.getBaseImage());
    String fallback = policy.registryFallback(base);
    ImageEntry e = entries.get(base);
    return runtime.ping()
      .compose(v -> runtime.inspectImage(base))
      .compose(d -> d != null || fallback == null ? Future.succeededFuture(d) : runtime.inspectImage(fallback))
      .map(d -> {
        if (e != null && e.state == ImageState.REFUSED) {
          return new Readiness(true, false, e.error);
        }
        return d != null ? new Readiness(true, true, null) : new Readiness(true, false, missing(base, e));
      })
      .otherwise(err -> new Readiness(false, false, Replies.toGatewayException(err).getMessage()));
  }

  private static String missing(String base, ImageEntry e) {
    if (e != null && e.state == ImageState.PULLING) {
      return "the default image " + base + " is being pulled (attempt " + e.attempts + ")";
    }
    if (e != null && e.state == ImageState.FAILED) {
      return "the default image " + base + " is not present: " + e.error;
    }
    return "the default image " + base + " is not present: build it with custom-images/offline/build-busybox.sh "
      + "or pull it";
  }

  /**
   * @return completes when no sandbox check runs any more, so that no probe container outlives the cache
   */
  Future<Void> idle() {
    return Future.join(new ArrayList<>(checks.values())).mapEmpty();
  }
}
