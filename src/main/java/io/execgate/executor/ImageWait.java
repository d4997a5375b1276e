package io.execgate.executor;

import io.execgate.bus.Headers;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageRequest;
import io.execgate.model.ImageState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/**
 * How an execution waits for its image: a first request to the image cache answers at once, with
 * {@code pulling} when a pull is needed (the execution then reports that status), and a second one
 * waits until the image is usable. Giving up (a cancel) does not wait for the pull, which other
 * executions may share.
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
    var bus = ec.vertx().eventBus();
    String address = ec.addresses().imageEnsure();
    Future<ImageInfo> usable = bus.<ImageInfo>request(address, new ImageRequest(image, false),
        new DeliveryOptions().setSendTimeout(ec.options().getDocker().getCallTimeoutMs() * 2)
          .addHeader(Headers.EXECUTION, executionId))
      .compose(m -> {
        if (m.body().usable()) {
          return Future.succeededFuture(m.body());
        }
        if (m.body().state() == ImageState.PULLING) {
          onPulling.run();
        }
        return bus.<ImageInfo>request(address, new ImageRequest(image, true),
          new DeliveryOptions().setSendTimeout(ec.options().getImages().ensureDeadlineMs())
            .addHeader(Headers.EXECUTION, executionId)).map(Message::body);
      });
    Promise<ImageInfo> outcome = Promise.promise();
    usable.onComplete(ar -> {
      if (ar.succeeded() && ar.result().id() == null) {
        outcome.tryFail(new GatewayException(ErrorCode.INTERNAL, "the image cache gave " + image + " without its id"));
      } else if (ar.succeeded()) {
        outcome.tryComplete(ar.result());
      } else {
        outcome.tryFail(ar.cause());
      }
    });
    giveUp.onComplete(ar -> outcome.tryFail(new GatewayException(ErrorCode.CANCELLED, "cancelled")));
    return outcome.future();
  }
}
