package io.execgate.stream;

import io.execgate.ExecutionStream;
import io.execgate.error.GatewayException;
import io.execgate.model.Frame;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * An {@link ExecutionStream} fed by a {@link FrameRelay} in owner mode: the relay writes only while
 * the reader has demand, and otherwise keeps the frames and pauses the program's output. So the
 * reader's {@code pause()} reaches the program, as a slow owner socket does. All state lives on one
 * context; calls from other threads hop onto it.
 */
public final class FrameStream implements ExecutionStream, FrameSink {

  private static final Logger log = LoggerFactory.getLogger(FrameStream.class);

  private final Context context;
  private final String id;
  /** What to do when the stream cannot go on: cancel the execution it owns. */
  private final Runnable onBroken;
  private final ArrayDeque<Frame> pending = new ArrayDeque<>();
  private long demand = Long.MAX_VALUE;
  private Handler<Frame> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> drainHandler;
  private boolean ended;
  private boolean endDelivered;
  private boolean failed;

  public FrameStream(Context context, String id, Runnable onBroken) {
    this.context = context;
    this.id = id;
    this.onBroken = onBroken;
  }

  @Override
  public String id() {
    return id;
  }

  // FrameSink: called by the relay, on the context

  @Override
  public void write(Frame frame) {
    if (!failed) {
      pending.add(frame);
      deliver();
    }
  }

  @Override
  public boolean writeQueueFull() {
    return handler == null || demand == 0 || !pending.isEmpty();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    drainHandler = handler;
  }

  @Override
  public void end() {
    ended = true;
    deliver();
  }

  @Override
  public void fail(int closeCode, GatewayException error) {
    if (failed || endDelivered) {
      return;
    }
    failed = true;
    pending.clear();
    onBroken.run();
    if (exceptionHandler != null) {
      exceptionHandler.handle(error);
    } else {
      log.warn("[{}] the execution's stream failed: {}", id, error.getMessage());
    }
  }

  // ReadStream: any thread

  @Override
  public ExecutionStream handler(Handler<Frame> handler) {
    return on(() -> {
      this.handler = handler;
      readerReady();
    });
  }

  @Override
  public ExecutionStream pause() {
    return on(() -> demand = 0);
  }

  @Override
  public ExecutionStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ExecutionStream fetch(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("amount must be at least 0, got " + amount);
    }
    return on(() -> {
      demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
      readerReady();
    });
  }

  @Override
  public ExecutionStream endHandler(Handler<Void> endHandler) {
    return on(() -> {
      this.endHandler = endHandler;
      deliver();
    });
  }

  @Override
  public ExecutionStream exceptionHandler(Handler<Throwable> handler) {
    return on(() -> exceptionHandler = handler);
  }

  private ExecutionStream on(Runnable action) {
    // the relay's frames arrive on duplicates of the context (event-bus handlers): a pause() from the
    // frame handler must take effect before the next frame, not after a hop
    ContextInternal current = (ContextInternal) Vertx.currentContext();
    if (current != null && current.unwrap() == ((ContextInternal) context).unwrap()) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
    return this;
  }

  private void deliver() {
    while (demand > 0 && handler != null && !pending.isEmpty()) {
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(pending.poll());
    }
    if (ended && pending.isEmpty() && !endDelivered && endHandler != null) {
      endDelivered = true;
      endHandler.handle(null);
    }
  }

  /**
   * The reader can take more: deliver what is pending, then let the relay write again.
   */
  private void readerReady() {
    deliver();
    if (!ended && !failed && !writeQueueFull() && drainHandler != null) {
      // asynchronously: the relay may be inside its own write loop
      context.runOnContext(v -> {
        if (!ended && !failed && !writeQueueFull()) {
          drainHandler.handle(null);
        }
      });
    }
  }
}
