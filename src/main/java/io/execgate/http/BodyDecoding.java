package io.execgate.http;

import io.execgate.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayDeque;
import java.util.concurrent.Callable;

/**
 * Decodes request bodies and large WebSocket messages without holding an event loop: up to
 * {@value #INLINE_BYTES} bytes inline (cheaper than a thread hop), larger ones on a worker thread.
 * Decoding megabytes of JSON costs tens of milliseconds and several times the body's size in
 * transient memory and a whole core, so at most {@link #AT_ONCE} large decodes (half the node's
 * cores, at least one) run at once on a node, leaving the event loops a core; the others wait their
 * turn in arrival order (their bodies are already in memory; the turn bounds only the copies).
 */
final class BodyDecoding {

  static final int INLINE_BYTES = 64 * 1024;
  static final int AT_ONCE = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  private final Vertx vertx;
  private final Turns turns;

  BodyDecoding(Vertx vertx, String addressPrefix) {
    this.vertx = vertx;
    this.turns = vertx.sharedData().<String, Turns>getLocalMap(new Addresses(addressPrefix).decodingMap())
      .computeIfAbsent("turns", k -> new Turns());
  }

  /**
   * Runs {@code work}, inline or on a worker thread; its result is delivered on the caller's context.
   *
   * @param size the size of the input, in bytes (or characters)
   */
  <T> Future<T> decode(long size, Callable<T> work) {
    if (size <= INLINE_BYTES) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    // the turn may start from another event loop's completion: the result still belongs to this context
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    turns.take(() -> context.executeBlocking(work, false).onComplete(ar -> {
      turns.done();
      promise.handle(ar);
    }));
    return promise.future();
  }

  /**
   * The node's large decodes; thread-safe (the HTTP instances run on several event loops).
   */
  static final class Turns implements Shareable {

    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int running;

    void take(Runnable start) {
      synchronized (this) {
        if (running >= AT_ONCE) {
          waiting.add(start);
          return;
        }
        running++;
      }
      start.run();
    }

    void done() {
      Runnable next;
      synchronized (this) {
        next = waiting.poll();
        if (next == null) {
          running--;
          return;
        }
      }
      next.run();
    }
  }
}
