package io.execgate.image;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Headers;
import io.execgate.bus.ImageChannel;
import io.execgate.docker.ContainerRuntime;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.error.Replies;
import io.execgate.model.ImageRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one place that knows about images: makes them usable for executions (present, pulled once
 * however many wait, checked against the sandbox's needs), lists them, and tells whether the
 * gateway is ready. Deployed as a single event-loop instance that owns all image state, so there
 * are no locks. At startup it makes the default image and {@code images.prePull} usable, in the
 * background.
 */
public final class ImageCacheVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ImageCacheVerticle.class);
  private static final long STOP_GRACE_MS = 25_000;

  private final GatewayOptions options;
  private final ContainerRuntime runtime;
  private final ConfirmedImages confirmed;
  private ImageCache cache;
  private ImageChannel channel;

  /**
   * @param options the gateway's options (copied)
   * @param runtime   the container engine, owned by the gateway
   * @param confirmed where the cache tells the node's executors which images it confirmed a moment ago
   */
  public ImageCacheVerticle(GatewayOptions options, ContainerRuntime runtime, ConfirmedImages confirmed) {
    this.options = new GatewayOptions(options);
    this.runtime = runtime;
    this.confirmed = confirmed;
  }

  @Override
  public Future<?> start() {
    cache = new ImageCache(vertx, runtime, options, confirmed);
    GatewayMetrics metrics = GatewayMetrics.of(vertx, options.getAddressPrefix());
    metrics.functionCounter("execgate_image_pulls_started", "Image pulls started", () -> cache.stats().pullsStarted());
    metrics.functionCounter("execgate_image_pulls_succeeded", "Image pulls that succeeded",
      () -> cache.stats().pullsSucceeded());
    metrics.functionCounter("execgate_image_pulls_failed", "Image pulls that failed for good",
      () -> cache.stats().pullsFailed());
    metrics.functionCounter("execgate_image_pull_retries", "Pull attempts retried after a transient failure",
      () -> cache.stats().retries());
    metrics.functionCounter("execgate_image_cache_hits", "Image requests answered without a pull",
      () -> cache.stats().cacheHits());
    metrics.functionCounter("execgate_images_refused", "Images refused by the sandbox check",
      () -> cache.stats().refused());
    Addresses addresses = new Addresses(options.getAddressPrefix());
    var bus = vertx.eventBus();
    channel = new ImageChannel(bus, addresses);
    return Future.all(
        bus.<ImageRequest>localConsumer(addresses.imageEnsure(), this::onEnsure).completion(),
        bus.<Void>localConsumer(addresses.imageList(), m -> m.reply(cache.list())).completion(),
        bus.<Void>localConsumer(addresses.imageReady(), m -> cache.readiness().onSuccess(m::reply)).completion())
      .andThen(ar -> prePull());
  }

  private void prePull() {
    Set<String> images = new LinkedHashSet<>();
    images.add(options.getImages().getBaseImage());
    images.addAll(options.getImages().getPrePull());
    for (String image : images) {
      cache.ensure(image, true, null)
        .onSuccess(info -> log.info("image {} is ready ({})", image, info.localImage()))
        .onFailure(err -> log.warn("image {} is not usable: {}", image, err.getMessage()));
    }
  }

  private void onEnsure(Message<ImageRequest> message) {
    ImageRequest request = message.body();
    // one ask that waits can still learn that a pull runs first: a one-way notice to the asker's address
    String notice = message.headers().get(Headers.PULLING_NOTICE);
    cache.ensure(request.image(), request.untilUsable(),
        notice == null ? null : info -> channel.pulling(notice, info))
      .onSuccess(message::reply)
      .onFailure(err -> Replies.fail(message, err));
  }

  @Override
  public Future<?> stop() {
    // let running sandbox checks remove their probe containers
    return cache == null ? Future.succeededFuture()
      : cache.idle().timeout(STOP_GRACE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty();
  }
}
