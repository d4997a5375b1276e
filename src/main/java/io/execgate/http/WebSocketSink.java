package io.execgate.http;

import io.execgate.error.GatewayException;
import io.execgate.model.Frame;
import io.execgate.stream.CloseCodes;
import io.execgate.stream.FrameSink;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames as WebSocket text messages, one JSON object each, with pings so that a dead peer is
 * noticed: a peer that answers no ping for two keepalive intervals is closed. On a socket that
 * negotiated {@value BinaryFrames#SUBPROTOCOL}, output frames go as {@link BinaryFrames} binary
 * messages instead; the other frames stay JSON.
 */
final class WebSocketSink implements FrameSink {

  private static final Logger log = LoggerFactory.getLogger(WebSocketSink.class);

  private final ServerWebSocket ws;
  private final Vertx vertx;
  private final long keepaliveMs;
  /** Whether output frames go as binary messages. */
  private final boolean binary;
  private long lastPong = System.nanoTime();
  private long timer = -1;
  private boolean closed;
  private Handler<Void> deadHandler = v -> { };

  WebSocketSink(Vertx vertx, ServerWebSocket ws, long keepaliveMs) {
    this.vertx = vertx;
    this.ws = ws;
    this.keepaliveMs = keepaliveMs;
    this.binary = BinaryFrames.SUBPROTOCOL.equals(ws.subProtocol());
  }

  /**
   * @return whether output frames go as binary messages ({@link BinaryFrames})
   */
  boolean binary() {
    return binary;
  }

  /**
   * Starts the pings.
   *
   * @param onDead called when the peer is taken for dead, at once: the socket's close handler only
   *               runs once the closing handshake times out
   */
  void keepalive(Handler<Void> onDead) {
    deadHandler = onDead;
    ws.pongHandler(b -> lastPong = System.nanoTime());
    timer = vertx.setPeriodic(keepaliveMs, t -> {
      if ((System.nanoTime() - lastPong) / 1_000_000 > 2 * keepaliveMs) {
        close(CloseCodes.KEEPALIVE_TIMEOUT, "no pong for " + 2 * keepaliveMs + " ms");
        deadHandler.handle(null);
      } else if (!closed && !ws.writeQueueFull()) {
        ws.writePing(Buffer.buffer("keepalive"));
      }
    });
  }

  /**
   * The socket closed: stop the pings.
   */
  void closed() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  @Override
  public void write(Frame frame) {
    if (closed) {
      return;
    }
    if (binary && BinaryFrames.carries(frame)) {
      ws.writeBinaryMessage(BinaryFrames.encode(frame));
    } else {
      ws.writeTextMessage(frame.toJson().encode());
    }
  }

  /**
   * Sends a message of another protocol than the gateway's frames.
   */
  void writeText(JsonObject message) {
    if (!closed) {
      ws.writeTextMessage(message.encode());
    }
  }

  /**
   * Sends an {@code error} frame outside the execution's sequence (about the client's own message).
   */
  void error(GatewayException error) {
    write(JsonFrames.error(error));
  }

  @Override
  public boolean writeQueueFull() {
    return !closed && ws.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    ws.drainHandler(handler);
  }

  @Override
  public void end() {
    close(CloseCodes.NORMAL, "execution ended");
  }

  @Override
  public void fail(int closeCode, GatewayException error) {
    error(error);
    close(closeCode, error.getMessage());
  }

  void close(int code, String reason) {
    if (!closed) {
      closed();
      ws.close((short) code, CloseCodes.reason(reason));
    }
  }

  /**
   * A socket error: a message over the size limit closes with {@link CloseCodes#MESSAGE_TOO_BIG}.
   */
  void socketError(Throwable err) {
    String m = String.valueOf(err.getMessage());
    if (m.contains("max message size") || m.contains("Max frame length")) {
      close(CloseCodes.MESSAGE_TOO_BIG, "message too big");
    } else {
      log.debug("websocket error: {}", m);
    }
  }
}
