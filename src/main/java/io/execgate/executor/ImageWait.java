package io.execgate.executor;

import io.execgate.bus.ImageChannel;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * How an execution waits for its image: one request to the image cache, answered once the image is
 * usable; when a pull must run first, the cache says so in a one-way notice to the execution's
 * {@code imagePulling} address (the execution then reports that status). Giving up (a cancel) does
 * not wait for the pull, which other executions may share.
 */
final class ImageWait {

  private ImageWait() {
  }

  /**
   * @param onPulling called when the image cache must pull the image first
   * @param giveUp    completes when the execution stops waiting
   * @return the usable image: its local name, and the id the image cache checked, which is what the
   *   container is created from (a tag may point elsewhere by then)
   */
  static Future<ImageInfo> usable(ExecutorContext ec, String executionId, String image, Runnable onPulling, Future<?> giveUp) {
    ImageChannel images = new ImageChannel(ec.vertx().eventBus(), ec.addresses());
    MessageConsumer<ImageInfo> pulling = images.onPulling(executionId, info -> {
      if (info.state() == ImageState.PULLING) {
        onPulling.run();
      }
    });
    Promise<ImageInfo> outcome = Promise.promise();
    images.usableFor(executionId, image, ec.options().getImages().ensureDeadlineMs())
      .onComplete(ar -> {
        if (ar.succeeded() && ar.result().id() == null) {
          outcome.tryFail(new GatewayException(ErrorCode.INTERNAL, "the image cache gave " + image + " without its id"));
        } else if (ar.succeeded()) {
          outcome.tryComplete(ar.result());
        } else {
          outcome.tryFail(ar.cause());
        }
      });
    giveUp.onComplete(ar -> outcome.tryFail(new GatewayException(ErrorCode.CANCELLED, "cancelled")));
    // a notice after the answer (or the cancel) says nothing any more
    return outcome.future().andThen(ar -> pulling.unregister());
  }
}
