package io.execgate.http;

import io.execgate.error.GatewayException;
import io.execgate.model.Frame;
import io.execgate.stream.FrameSink;
import io.vertx.core.Handler;

/**
 * A sink that tells its owner when the stream ends or fails, before passing it on: an interactive
 * socket learns that its execution exited (and so needs no cancel when the socket closes).
 */
final class ObservedSink implements FrameSink {

  private final FrameSink out;
  private final Runnable onEnd;
  private final Runnable onFail;

  /**
   * @param onEnd  runs when the stream is complete, before {@code out} is ended
   * @param onFail runs when the stream fails, before {@code out} is failed
   */
  ObservedSink(FrameSink out, Runnable onEnd, Runnable onFail) {
    this.out = out;
    this.onEnd = onEnd;
    this.onFail = onFail;
  }

  @Override
  public void write(Frame frame) {
    out.write(frame);
  }

  @Override
  public boolean writeQueueFull() {
    return out.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    out.drainHandler(handler);
  }

  @Override
  public void end() {
    onEnd.run();
    out.end();
  }

  @Override
  public void fail(int closeCode, GatewayException error) {
    onFail.run();
    out.fail(closeCode, error);
  }
}
