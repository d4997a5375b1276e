package io.execgate.docker;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A container's stdout and stderr as a Vert.x {@link ReadStream} with back-pressure: when the
 * consumer pauses, at most about {@code highWaterBytes} of heap (what the pending chunks take, not
 * their payload: a program that switches streams at every byte makes one chunk per byte) or
 * {@link #MAX_CHUNKS} chunks are buffered, then the engine's reader thread blocks, which stops
 * reading the attach socket and so, through the engine's pipe, the program's writes.
 */
public final class AttachedOutput implements ReadStream<OutputChunk> {

  private Context context;
  private final long highWaterBytes;
  /** Adjacent bytes of one stream are merged up to this size, so that 1 KiB engine frames do not mean 1 KiB events. */
  static final int MAX_CHUNK = 64 * 1024;
  /** Most chunks waiting for the consumer, whatever their size. */
  static final int MAX_CHUNKS = 1024;
  /** Most chunks handed to the consumer in one task of its context. */
  private static final int DRAIN_BATCH = 64;

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

  /** Bytes of one stream waiting for the consumer; it grows with what it holds, up to {@link #MAX_CHUNK}. */
  private static final class Pending {
    /** Heap a pending chunk takes beyond its array's capacity: the object, the array's header, the queue's slot. */
    static final int OVERHEAD = 64;
    static final int FIRST_CAPACITY = 256;
    final boolean stderr;
    byte[] bytes;
    int length;

    Pending(boolean stderr, int first) {
      this.stderr = stderr;
      this.bytes = new byte[Math.max(FIRST_CAPACITY, first)];
    }

    /**
     * @return the bytes this chunk now takes on the heap beyond what it took before
     */
    long append(byte[] b, int off, int len) {
      long grown = 0;
      if (length + len > bytes.length) {
        int capacity = Math.max(Math.min(MAX_CHUNK, bytes.length * 2), length + len);
        grown = capacity - bytes.length;
        bytes = Arrays.copyOf(bytes, capacity);
      }
      System.arraycopy(b, off, bytes, length, len);
      length += len;
      return grown;
    }

    long weight() {
      return OVERHEAD + bytes.length;
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
      while ((queuedBytes >= highWaterBytes || queue.size() >= MAX_CHUNKS) && !closed) {
        wait();
      }
      if (closed || len == 0) {
        return;
      }
      Pending tail = queue.peekLast();
      if (tail == null || tail.stderr != stderr || tail.length + len > MAX_CHUNK) {
        tail = new Pending(stderr, len);
        queue.add(tail);
        queuedBytes += tail.weight();
      }
      queuedBytes += tail.append(bytes, off, len);
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
    for (int delivered = 0; ; delivered++) {
      OutputChunk chunk;
      Handler<OutputChunk> h;
      synchronized (this) {
        if (delivered == DRAIN_BATCH && !queue.isEmpty() && demand != 0) {
          // a program that writes as fast as it is read would keep this loop going forever: give the
          // context's other tasks (a pause from a slow owner, the deadline's kill) and its event loop's
          // connections their turn. A timer, not a task: the loop runs queued tasks back to back (for up
          // to a second) before it reads its sockets again
          context.owner().setTimer(1, t -> drain());
          return;
        }
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
        queuedBytes -= next.weight();
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
   * @return heap taken by the output received from the engine and not yet handed to the handler
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
