package io.execgate.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.zip.Deflater;

/**
 * The wire-level pieces of the availability attacks, shared by the attack tests and the hostile
 * soak ({@code bin/soak --hostile}): raw sockets that hold a request half-sent or drip it, WebSocket
 * upgrades and masked client frames written by hand (so that nothing reads what the gateway sends,
 * or so that a frame can carry what no client library would send), and a permessage-deflate bomb.
 */
public final class Attacks {

  private Attacks() {
  }

  /**
   * Opens a connection, writes {@code head}, then one byte ({@code a}) every {@code dripMs} (0:
   * nothing more), and reads until the gateway closes it. Blocks the calling thread.
   *
   * @return the ms from connect until the gateway closed the connection, or -1 if it was still open
   *   after {@code maxMs}
   */
  public static long hold(String host, int port, byte[] head, long dripMs, long maxMs) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5_000);
      long t0 = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(head);
      out.flush();
      socket.setSoTimeout(dripMs > 0 ? (int) dripMs : 1_000);
      while ((System.nanoTime() - t0) / 1_000_000 < maxMs) {
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

  /**
   * @return the head of a WebSocket upgrade of {@code path}, offering {@code extensions} when not null
   */
  public static byte[] upgrade(String path, String key, String extensions) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Authorization: Bearer " + key + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      + "Sec-WebSocket-Version: 13\r\n"
      + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n")
      .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * @return the deflated form of {@code size} zero bytes, as one permessage-deflate message (RFC 7692:
   *   without its trailing 00 00 ff ff); 1 GiB deflates to about 1 MiB
   */
  public static byte[] deflateBomb(long size) {
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
    return Arrays.copyOf(all, all.length - 4);
  }

  /**
   * @return a masked client frame with the given first byte (FIN, RSV bits, opcode): {@code 0x81} a
   *   text frame, {@code 0xC1} a compressed one
   */
  public static byte[] frame(int first, byte[] payload) {
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
   * Writes {@code deflated} as one compressed (RSV1) text frame, whatever the gateway agreed to, and
   * reads until the gateway closes.
   *
   * @return the close frame's code, or -1 when the connection ended without one
   */
  public static int sendCompressed(OutputStream out, InputStream in, byte[] deflated) throws IOException {
    try {
      out.write(frame(0xC1, deflated));
      out.flush();
    } catch (IOException closedWhileSending) {
      // the gateway may close before it has read the whole frame
    }
    return readCloseCode(in);
  }

  /**
   * @return a masked client text frame
   */
  public static byte[] textFrame(String text) {
    return frame(0x81, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @return an HTTP response's head (status line and headers), read byte by byte
   */
  public static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    return head.toString();
  }

  /**
   * Reads server frames until a close frame or the end of the connection.
   *
   * @return the close frame's code, or -1 when the connection ended without one
   */
  public static int readCloseCode(InputStream in) throws IOException {
    return readFrames(in, text -> { });
  }

  /**
   * Reads server frames until a close frame or the end of the connection, handing each text frame
   * to {@code onText}.
   *
   * @return the close frame's code, or -1 when the connection ended without one
   */
  public static int readFrames(InputStream in, Consumer<String> onText) throws IOException {
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
        if ((b0 & 0x0f) == 0x1) {
          onText.accept(new String(payload, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException reset) {
      return -1;
    }
  }
}
