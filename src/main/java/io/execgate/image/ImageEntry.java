package io.execgate.image;

import io.execgate.error.GatewayException;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageState;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The cache's mutable record of one image, touched only on the image cache's event loop.
 */
final class ImageEntry {

  final String image;
  String localImage;
  ImageState state = ImageState.ABSENT;
  String id;
  Long sizeBytes;
  Long lastUsedAt;
  /** When the engine last confirmed the image present. */
  long confirmedAt;
  int attempts;
  String errorCode;
  String error;

  /** The work making it usable, while it runs: everyone asking meanwhile waits for this. */
  Future<ImageInfo> flow;
  /** Completes as soon as the flow knows whether it must pull. */
  Promise<ImageInfo> known;
  /** Requests waiting for the current flow. */
  int waiting;
  /** Whether the current flow pulled. */
  boolean pulled;

  ImageEntry(String image) {
    this.image = image;
  }

  void present(String id, long sizeBytes) {
    this.id = id;
    this.sizeBytes = sizeBytes;
  }

  void failed(ImageState state, GatewayException err) {
    this.state = state;
    this.errorCode = err.code().id();
    this.error = err.getMessage();
  }

  void usable() {
    state = ImageState.PRESENT;
    errorCode = null;
    error = null;
    lastUsedAt = System.currentTimeMillis();
    confirmedAt = lastUsedAt;
  }

  ImageInfo info() {
    boolean local = state == ImageState.PRESENT || state == ImageState.CHECKING || state == ImageState.REFUSED;
    return new ImageInfo(image, localImage, state, local ? id : null, local ? sizeBytes : null, lastUsedAt, attempts,
      errorCode, error);
  }
}
