package io.execgate.docker;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A container's stdout and stderr as a Vert.x {@link ReadStream} with back-pressure: when the
 * consumer pauses, at most {@code highWaterBytes} are buffered, then the engine's reader thread
 * blocks, which stops reading the attach socket and so, through the engine's pipe, the program's
 * writes.
 */
public final class AttachedOutput implements ReadStream<OutputChunk> {

  private Context context;
  private final long highWaterBytes;
  /** Adjacent bytes of one stream are merged up to this size, so that 1 KiB engine frames do not mean 1 KiB events. */
  static final int MAX_CHUNK = 64 * 1024;

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long queuedBytes;
  private long demand = Long.MAX_VALUE;
  private boolean ended;
  private Throwable failure;
  private boolean endDelivered;
  private boolean drainScheduled;
  private boolean closed;
  private Runnable closer = () -> { };
  private Handler<OutputChunk> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  AttachedOutput(Context context, long highWaterBytes) {
    this.context = context;
    this.highWaterBytes = highWaterBytes;
  }

  /**
   * Hands the stream to another context (a warm container's stream, attached by the pool, taken by
   * an execution): handlers run there from now on. Call it before setting the handlers.
   */
  public synchronized void moveTo(Context newContext) {
    this.context = newContext;
  }

  /**
   * @return whether the engine ended the stream (the container is gone)
   */
  public synchronized boolean isEnded() {
    return ended;
  }

  synchronized void closer(Runnable closer) {
    this.closer = closer;
  }

  /** Bytes of one stream waiting for the consumer. */
  private static final class Pending {
    final boolean stderr;
    byte[] bytes = new byte[8192];
    int length;

    Pending(boolean stderr) {
      this.stderr = stderr;
    }

    void append(byte[] b, int off, int len) {
      if (length + len > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + len));
      }
      System.arraycopy(b, off, bytes, length, len);
      length += len;
    }

    OutputChunk toChunk() {
      return new OutputChunk(stderr, length == bytes.length ? bytes : Arrays.copyOf(bytes, length));
    }
  }

  /**
   * Called by the engine's reader thread; copies {@code len} bytes (the engine client reuses its
   * buffer) and blocks while the buffer is full.
   */
  void push(boolean stderr, byte[] bytes, int off, int len) throws InterruptedException {
    synchronized (this) {
      while (queuedBytes >= highWaterBytes && !closed) {
        wait();
      }
      if (closed || len == 0) {
        return;
      }
      Pending tail = queue.peekLast();
      if (tail == null || tail.stderr != stderr || tail.length + len > MAX_CHUNK) {
        tail = new Pending(stderr);
        queue.add(tail);
      }
      tail.append(bytes, off, len);
      queuedBytes += len;
      scheduleDrain();
    }
  }

  /**
   * Called by the engine's reader thread when the stream ends, with the failure if any.
   */
  void end(Throwable err) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      failure = err;
      scheduleDrain();
    }
  }

  private void scheduleDrain() {
    // caller holds the lock
    if (!drainScheduled) {
      drainScheduled = true;
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    for (;;) {
      OutputChunk chunk;
      Handler<OutputChunk> h;
      synchronized (this) {
        if (queue.isEmpty() || demand == 0) {
          drainScheduled = false;
          if (queue.isEmpty() && ended && !endDelivered) {
            endDelivered = true;
            break;
          }
          return;
        }
        Pending next = queue.poll();
        chunk = next.toChunk();
        queuedBytes -= next.length;
        notifyAll();
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        h = handler;
      }
      if (h != null) {
        h.handle(chunk);
      }
    }
    Handler<Void> onEnd;
    Handler<Throwable> onError;
    Throwable err;
    synchronized (this) {
      onEnd = endHandler;
      onError = exceptionHandler;
      err = failure;
    }
    if (err != null && onError != null) {
      onError.handle(err);
    }
    if (onEnd != null) {
      onEnd.handle(null);
    }
  }

  /**
   * Detaches from the container; buffered chunks are dropped and the end is delivered.
   */
  public void close() {
    Runnable c;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      queuedBytes = 0;
      notifyAll();
      c = closer;
    }
    c.run();
    end(null);
  }

  /**
   * @return bytes received from the engine and not yet handed to the handler
   */
  public synchronized long bufferedBytes() {
    return queuedBytes;
  }

  @Override
  public synchronized AttachedOutput exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public synchronized AttachedOutput handler(Handler<OutputChunk> handler) {
    this.handler = handler;
    return this;
  }

  @Override
  public synchronized AttachedOutput pause() {
    demand = 0;
    return this;
  }

  @Override
  public synchronized AttachedOutput resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public synchronized AttachedOutput fetch(long amount) {
    if (amount > 0) {
      demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      scheduleDrain();
    }
    return this;
  }

  @Override
  public synchronized AttachedOutput endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }
}
