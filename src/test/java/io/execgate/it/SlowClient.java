package io.execgate.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

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
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      long t0 = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(head);
      out.flush();
      socket.setSoTimeout(dripMs > 0 ? (int) dripMs : 1_000);
      while ((System.nanoTime() - t0) / 1_000_000 < 45_000) {
        try {
          int b = in.read();
          if (b < 0) {
            return (System.nanoTime() - t0) / 1_000_000;
          }
          // an answer (there should be none before the cut): read on until the close
        } catch (SocketTimeoutException quiet) {
          if (dripMs > 0) {
            try {
              out.write('a');
              out.flush();
            } catch (IOException closed) {
              return (System.nanoTime() - t0) / 1_000_000;
            }
          }
        } catch (IOException reset) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
      }
      return -1L;
    }
  }
}
