package io.execgate.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;

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
    byte[] bomb = deflate(1L << 30);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Authorization: Bearer " + key + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String head = RawHttp.readHead(in);
      if (!head.startsWith("HTTP/1.1 101")) {
        return new Outcome(head, bomb.length, -2, 0);
      }
      long t0 = System.nanoTime();
      try {
        out.write(frame(0xC1, bomb));
        out.flush();
      } catch (IOException closedWhileSending) {
        // the gateway may close before it has read the whole frame
      }
      int closeCode = readCloseCode(in);
      return new Outcome(head, bomb.length, closeCode, (System.nanoTime() - t0) / 1_000_000);
    }
  }

  private static byte[] deflate(long size) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[1 << 20];
    byte[] buf = new byte[64 << 10];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long done = 0; done < size; done += zeros.length) {
      deflater.setInput(zeros);
      while (!deflater.needsInput()) {
        out.write(buf, 0, deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
      }
    }
    int n;
    while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buf, 0, n);
    }
    deflater.end();
    byte[] all = out.toByteArray();
    // RFC 7692: a message's deflated data without its trailing 00 00 ff ff
    return Arrays.copyOf(all, all.length - 4);
  }

  /**
   * @return a masked client frame with the given first byte (FIN, RSV bits, opcode)
   */
  private static byte[] frame(int first, byte[] payload) {
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
    b.put((byte) first);
    if (payload.length < 126) {
      b.put((byte) (0x80 | payload.length));
    } else if (payload.length < 65_536) {
      b.put((byte) (0x80 | 126)).putShort((short) payload.length);
    } else {
      b.put((byte) (0x80 | 127)).putLong(payload.length);
    }
    b.put(mask);
    for (int i = 0; i < payload.length; i++) {
      b.put((byte) (payload[i] ^ mask[i & 3]));
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  /**
   * Reads server frames until a close frame or the end of the connection.
   *
   * @return the close frame's code, or -1 when the connection ended without one
   */
  private static int readCloseCode(InputStream in) {
    try {
      while (true) {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
          return -1;
        }
        long len = b1 & 0x7f;
        if (len == 126) {
          len = (in.read() << 8) | in.read();
        } else if (len == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | in.read();
          }
        }
        byte[] payload = in.readNBytes((int) len);
        if ((b0 & 0x0f) == 0x8) {
          return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
      }
    } catch (IOException reset) {
      return -1;
    }
  }
}
