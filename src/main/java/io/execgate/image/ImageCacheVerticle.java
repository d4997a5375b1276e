package io.execgate.image;

import io.execgate.bus.Addresses;
import io.execgate.docker.ContainerRuntime;
import io.execgate.error.Replies;
import io.execgate.model.Readiness;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * The one place that knows about images: answers whether an image is present and pulls it when
 * not, one pull per image however many executions wait for it. A single event-loop instance owns
 * the in-flight pulls, so there are no locks.
 */
public final class ImageCacheVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ImageCacheVerticle.class);

  private final Addresses addresses;
  private final ImageCacheOptions options;
  private final ContainerRuntime runtime;
  /** How long a confirmed presence is trusted without asking the engine again. */
  private static final long PRESENT_TTL_MS = 30_000;

  private final Map<String, Future<Void>> pulls = new HashMap<>();
  private final Map<String, Long> confirmedPresent = new HashMap<>();

  public ImageCacheVerticle(String addressPrefix, ImageCacheOptions options, ContainerRuntime runtime) {
    this.addresses = new Addresses(addressPrefix);
    this.options = new ImageCacheOptions(options);
    this.runtime = runtime;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    Future<?> consumers = Future.all(
      bus.<String>localConsumer(addresses.imageEnsure(), this::onEnsure).completion(),
      bus.<Void>localConsumer(addresses.imageReady(), this::onReady).completion());
    return consumers.andThen(ar -> options.getPrePull().forEach(image -> ensure(image)
      .onSuccess(v -> log.info("image {} is present", image))
      .onFailure(err -> log.warn("pre-pulling {} failed: {}", image, err.getMessage()))));
  }

  private void onEnsure(Message<String> message) {
    ensure(message.body())
      .onSuccess(v -> message.reply(null))
      .onFailure(err -> Replies.fail(message, err));
  }

  /**
   * @return succeeds when the image is present locally, pulling it once if needed
   */
  Future<Void> ensure(String image) {
    Long confirmed = confirmedPresent.get(image);
    if (confirmed != null && System.currentTimeMillis() - confirmed < PRESENT_TTL_MS) {
      // the hot path of a warm execution asks the engine nothing
      return Future.succeededFuture();
    }
    return check(image).onSuccess(v -> confirmedPresent.put(image, System.currentTimeMillis()));
  }

  private Future<Void> check(String image) {
    Future<Void> inFlight = pulls.get(image);
    if (inFlight != null) {
      return inFlight;
    }
    return runtime.imagePresent(image).compose(present -> {
      if (present) {
        return Future.succeededFuture();
      }
      Future<Void> again = pulls.get(image);
      if (again != null) {
        return again;
      }
      log.info("pulling {}", image);
      Future<Void> pull = runtime.pull(image, options.getPullTimeoutSeconds() * 1000)
        .andThen(ar -> pulls.remove(image));
      pulls.put(image, pull);
      return pull;
    });
  }

  private void onReady(Message<Void> message) {
    runtime.ping()
      .compose(v -> runtime.imagePresent(options.getBaseImage())
        .map(present -> new Readiness(true, present, present ? null
          : "the default image " + options.getBaseImage() + " is not present: build it with "
          + "custom-images/offline/build-busybox.sh or pull it")))
      .otherwise(err -> new Readiness(false, false, Replies.toGatewayException(err).getMessage()))
      .onSuccess(message::reply);
  }
}
