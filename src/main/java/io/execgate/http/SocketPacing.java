package io.execgate.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

/**
 * Paces an interactive socket's reading: counts the reasons its reading is paused (a large message
 * being decoded, a yield; reads resume at none), and yields the event loop to the other connections
 * after {@link #MESSAGES_PER_TURN} messages handled back to back. Used on the socket's context.
 */
final class SocketPacing {

  /**
   * Messages handled in one go before the socket lets its event loop serve other connections: a
   * client may put thousands of messages in one TCP write, which the loop would otherwise handle
   * back to back.
   */
  static final int MESSAGES_PER_TURN = 32;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private Context context;
  /** Reasons the socket's reading is paused (a large message being decoded, a yield): reads resume at 0. */
  private int pauses;
  private int handledThisTurn;

  SocketPacing(Vertx vertx, ServerWebSocket ws) {
    this.vertx = vertx;
    this.ws = ws;
  }

  /**
   * Binds the pacing to the socket's context; called when the socket starts.
   */
  void start(Context context) {
    this.context = context;
  }

  /**
   * Counts the messages handled in this turn of the event loop; past {@link #MESSAGES_PER_TURN}, the
   * socket pauses until the loop has polled its connections again. A timer, not a task: the loop
   * runs queued tasks back to back (for up to a second) before it reads sockets again, so a resume
   * queued as a task would keep the other connections waiting all the same.
   */
  void yieldNow() {
    if (++handledThisTurn == 1) {
      context.runOnContext(v -> handledThisTurn = 0);
    } else if (handledThisTurn == MESSAGES_PER_TURN) {
      pause();
      vertx.setTimer(1, t -> {
        handledThisTurn = 0;
        resume();
      });
    }
  }

  void pause() {
    if (pauses++ == 0) {
      ws.pause();
    }
  }

  void resume() {
    if (--pauses == 0) {
      ws.resume();
    }
  }
}
