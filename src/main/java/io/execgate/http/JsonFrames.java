package io.execgate.http;

import io.execgate.error.GatewayException;
import io.execgate.model.Frame;

/**
 * Frames a connection makes itself, outside the execution's sequence: they carry {@code seq: -1},
 * so that a client counting seqs can skip them.
 */
final class JsonFrames {

  static final long OUT_OF_SEQUENCE = -1;

  private JsonFrames() {
  }

  static Frame error(GatewayException error) {
    return Frame.error(OUT_OF_SEQUENCE, 0, error.code().id(), error.getMessage());
  }

  static Frame keepalive() {
    return Frame.keepalive(OUT_OF_SEQUENCE, 0);
  }
}
