package io.execgate.pool;

import io.execgate.model.PoolKey;

import java.util.ArrayDeque;

/**
 * One pool of the {@link WarmPoolVerticle}: the warm containers of one {@link PoolKey}, ready in
 * creation order, and what the verticle knows of their image and their refills. Mutable, owned by
 * the verticle's context.
 */
final class ImagePool {
  final PoolKey key;
  final ArrayDeque<WarmContainer> ready = new ArrayDeque<>();
  int creating;
  long taken;
  int failures;
  long failuresTotal;
  String lastError;
  long retryAt;
  boolean imagePresent;
  long imageCheckedAt;
  boolean imageChecking;
  /** The image id the image cache checked, which the pool's containers are created from; null until then. */
  String imageId;
  /** Why the image cache refused the image, or null. */
  String refusal;

  ImagePool(PoolKey key) {
    this.key = key;
  }
}
