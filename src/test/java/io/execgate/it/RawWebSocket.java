package io.execgate.it;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client on a plain socket, as an attacker writes one: it can put many messages into a
 * single TCP write, so that the gateway reads them all before it answers any (a flood that arrives
 * before admission, or before the first signal is delivered). It answers pings and collects the
 * text messages it receives and the close frame.
 */
final class RawWebSocket implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final OutputStream out;
  private final List<JsonObject> received = new ArrayList<>();
  private final Thread reader;
  /** The close code the gateway sent (or -1 when the connection ended without a close frame). */
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile String closeReason;

  /**
   * Connects and upgrades.
   *
   * @param bearer the API key, or {@code null}
   */
  RawWebSocket(int port, String path, String bearer) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    out = socket.getOutputStream();
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
      + "Sec-WebSocket-Version: 13\r\n" + (bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n") + "\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    String head = readHead(in);
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(head));
    }
    reader = new Thread(() -> read(in), "raw-ws-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the upgrade: " + head);
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
        ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends each message as a masked text frame, all of them in one write.
   */
  synchronized void sendAll(List<String> messages) throws IOException {
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    for (String m : messages) {
      frame(batch, 0x1, m.getBytes(StandardCharsets.UTF_8));
    }
    out.write(batch.toByteArray());
    out.flush();
  }

  void send(JsonObject message) throws IOException {
    sendAll(List.of(message.encode()));
  }

  private static void frame(ByteArrayOutputStream to, int opcode, byte[] payload) {
    to.write(0x80 | opcode);
    int n = payload.length;
    if (n < 126) {
      to.write(0x80 | n);
    } else if (n < 65_536) {
      to.write(0x80 | 126);
      to.write(n >>> 8);
      to.write(n);
    } else {
      to.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        to.write((int) ((long) n >>> shift));
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    to.write(mask, 0, 4);
    for (int i = 0; i < n; i++) {
      to.write(payload[i] ^ mask[i & 3]);
    }
  }

  private void read(DataInputStream in) {
    try {
      while (true) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long n = b1 & 0x7f;
        if (n == 126) {
          n = in.readUnsignedShort();
        } else if (n == 127) {
          n = in.readLong();
        }
        byte[] payload = new byte[(int) n];
        in.readFully(payload);
        int opcode = b0 & 0x0f;
        if (opcode == 0x1) {
          JsonObject message = new JsonObject(new String(payload, StandardCharsets.UTF_8));
          synchronized (this) {
            received.add(message);
            notifyAll();
          }
        } else if (opcode == 0x8) {
          int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
          closeReason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
          closed.complete(code);
          return;
        } else if (opcode == 0x9) {
          ByteArrayOutputStream pong = new ByteArrayOutputStream();
          frame(pong, 0xA, payload);
          synchronized (this) {
            out.write(pong.toByteArray());
            out.flush();
          }
        }
      }
    } catch (IOException e) {
      closed.complete(-1);
    } finally {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /**
   * @return a copy of the text messages received so far
   */
  synchronized List<JsonObject> received() {
    return List.copyOf(received);
  }

  /**
   * Waits until a received message matches.
   */
  synchronized JsonObject await(Predicate<JsonObject> match, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      for (JsonObject m : received) {
        if (match.test(m)) {
          return m;
        }
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0 || closed.isDone()) {
        throw new AssertionError("no matching message within " + timeoutMs + " ms; received " + received
          + (closed.isDone() ? ", closed with " + closed.getNow(null) + " " + closeReason : ""));
      }
      wait(left);
    }
  }

  /**
   * @return the close code, waiting at most {@code timeoutMs}
   */
  int awaitClose(long timeoutMs) throws Exception {
    return closed.get(timeoutMs, TimeUnit.MILLISECONDS);
  }

  String closeReason() {
    return closeReason;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
