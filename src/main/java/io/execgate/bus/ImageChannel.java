package io.execgate.bus;

import io.execgate.model.ImageInfo;
import io.execgate.model.ImageList;
import io.execgate.model.ImageRequest;
import io.execgate.model.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The image cache's protocol, typed: each operation's address, what it carries each way and how long
 * its answer may take, in one place. Senders use this rather than addresses and casts.
 */
public final class ImageChannel {

  /** How long a pre-pull may take to be answered: it answers at once, with the pull under way. */
  public static final long PRE_PULL_TIMEOUT_MS = 30_000;
  /** How long the image cache may take to list its images. */
  public static final long LIST_TIMEOUT_MS = 30_000;
  /** How long the image cache may take to report its readiness. */
  public static final long READY_TIMEOUT_MS = 10_000;

  private final EventBus bus;
  private final Addresses addresses;

  public ImageChannel(EventBus bus, Addresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  /**
   * Makes {@code image} usable and waits until it is (pulled and checked).
   *
   * @param deadlineMs how long a pull and its check may take ({@code ImageCacheOptions.ensureDeadlineMs()})
   * @return the usable image, or the cache's refusal (image_not_found, image_pull_failed,
   *   registry_auth_failed, image_refused)
   */
  public Future<ImageInfo> usable(String image, long deadlineMs) {
    return bus.<ImageInfo>request(addresses.imageEnsure(), new ImageRequest(image, true),
      new DeliveryOptions().setSendTimeout(deadlineMs)).map(Message::body);
  }

  /**
   * Makes {@code image} usable for one execution and waits until it is; when a pull must run first,
   * the cache says so on the execution's {@link Addresses#imagePulling} address (see
   * {@link #onPulling}).
   *
   * @param deadlineMs how long a pull and its check may take ({@code ImageCacheOptions.ensureDeadlineMs()})
   * @return the usable image, or the cache's refusal
   */
  public Future<ImageInfo> usableFor(String executionId, String image, long deadlineMs) {
    return bus.<ImageInfo>request(addresses.imageEnsure(), new ImageRequest(image, true),
      new DeliveryOptions().setSendTimeout(deadlineMs)
        .addHeader(Headers.EXECUTION, executionId)
        .addHeader(Headers.PULLING_NOTICE, addresses.imagePulling(executionId))).map(Message::body);
  }

  /**
   * Starts pulling {@code image} when it is absent, without waiting for the pull.
   *
   * @return the image as the cache knows it now (pulling, present), or its refusal
   */
  public Future<ImageInfo> prePull(String image) {
    return bus.<ImageInfo>request(addresses.imageEnsure(), new ImageRequest(image, false),
      new DeliveryOptions().setSendTimeout(PRE_PULL_TIMEOUT_MS)).map(Message::body);
  }

  /**
   * @return the images the cache knows, with its counters
   */
  public Future<ImageList> list() {
    return bus.<ImageList>request(addresses.imageList(), null, new DeliveryOptions().setSendTimeout(LIST_TIMEOUT_MS))
      .map(Message::body);
  }

  /**
   * @return whether the node can run executions: the engine answers and the base image is usable
   */
  public Future<Readiness> readiness() {
    return bus.<Readiness>request(addresses.imageReady(), null, new DeliveryOptions().setSendTimeout(READY_TIMEOUT_MS))
      .map(Message::body);
  }

  /**
   * The image cache's one-way notice that a pull runs before the image is usable.
   *
   * @param noticeAddress the address the asker named in {@link Headers#PULLING_NOTICE}
   */
  public void pulling(String noticeAddress, ImageInfo info) {
    bus.send(noticeAddress, info);
  }

  /**
   * Listens, on this node, for the notice that a pull runs first for one execution's image.
   *
   * @return the consumer: unregister it once the image is usable
   */
  public MessageConsumer<ImageInfo> onPulling(String executionId, Handler<ImageInfo> handler) {
    return bus.localConsumer(addresses.imagePulling(executionId), m -> handler.handle(m.body()));
  }
}
