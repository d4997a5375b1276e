package io.execgate.it;

import java.io.IOException;

/**
 * A client that holds a connection with as little as it can: a half-sent head, a slowloris, a
 * stalled or dripping body.
 */
final class SlowClient {

  private SlowClient() {
  }

  /**
   * Opens a connection, writes {@code head}, then one byte every {@code dripMs} (0: nothing more),
   * and reads until the gateway closes it.
   *
   * @return the ms from connect until the gateway closed the connection, or -1 if it was still open
   *   after 45 s
   */
  static long hold(int port, byte[] head, long dripMs) throws IOException {
    return Attacks.hold("127.0.0.1", port, head, dripMs, 45_000);
  }
}
