package io.execgate.stream;

import io.execgate.error.GatewayException;
import io.execgate.model.Frame;
import io.vertx.core.Handler;

/**
 * Where a {@link FrameRelay} writes one client's frames: a WebSocket, an SSE response or an NDJSON
 * response. Everything happens on the connection's event loop.
 */
public interface FrameSink {

  void write(Frame frame);

  boolean writeQueueFull();

  void drainHandler(Handler<Void> handler);

  /**
   * The stream is complete (the {@code exit} frame was written, or there is nothing left to send).
   */
  void end();

  /**
   * The stream cannot go on: tell the client why, then close.
   *
   * @param closeCode the WebSocket close code ({@link CloseCodes})
   */
  void fail(int closeCode, GatewayException error);
}
