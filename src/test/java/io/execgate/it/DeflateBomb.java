package io.execgate.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The permessage-deflate bomb of the availability attacks: a WebSocket upgrade that offers
 * compression, then one frame marked compressed (RSV1) carrying 1 GiB of zeros deflated to about
 * 1 MiB. A gateway that inflates before it checks the message's size holds 1 GiB for it.
 */
final class DeflateBomb {

  /**
   * What the gateway did with the bomb.
   *
   * @param handshake the upgrade's answer (status line and headers)
   * @param bombBytes the frame's payload on the wire
   * @param closeCode the close frame's code, -1 when the connection ended without one, -2 when the
   *   upgrade was refused (nothing was sent)
   * @param ms from the frame's first byte until the socket's close
   */
  record Outcome(String handshake, int bombBytes, int closeCode, long ms) {
  }

  private DeflateBomb() {
  }

  /**
   * Opens {@code /v1/ws} with {@code key} and sends the bomb.
   */
  static Outcome send(int port, String key) throws IOException {
    byte[] bomb = Attacks.deflateBomb(1L << 30);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(Attacks.upgrade("/v1/ws", key, "permessage-deflate; client_max_window_bits"));
      out.flush();
      String head = Attacks.readHead(in);
      if (!head.startsWith("HTTP/1.1 101")) {
        return new Outcome(head, bomb.length, -2, 0);
      }
      long t0 = System.nanoTime();
      int closeCode = Attacks.sendCompressed(out, in, bomb);
      return new Outcome(head, bomb.length, closeCode, (System.nanoTime() - t0) / 1_000_000);
    }
  }
}
