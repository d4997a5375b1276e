package io.execgate.executor.launcher;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One execution's signals on their way to its sandbox, with at most one engine call in flight: each
 * delivery is an engine call, so a client that sends signals faster than they can be delivered
 * must not turn each into one. A signal sent while the same signal waits for its turn is merged into
 * it (the program sees it once, as a terminal's repeated Ctrl-C does when the program is slow to
 * react); different signals keep their order. At most one delivery per sendable signal waits, so
 * the queue holds a handful of entries whatever the client sends. Used on its run's context only.
 */
public final class SignalQueue {

  private final Function<String, Future<Void>> deliver;
  /** Signals waiting for their turn, in the order they were first sent, each with its senders' promise. */
  private final Map<String, Promise<Void>> waiting = new LinkedHashMap<>();
  private boolean inFlight;
  private boolean closed;
  private long merged;
  private long delivered;

  /**
   * @param deliver makes the engine call that delivers one signal (its name without {@code SIG})
   */
  public SignalQueue(Function<String, Future<Void>> deliver) {
    this.deliver = deliver;
  }

  /**
   * @return completes once the signal is delivered; at once when it was merged into the same
   *   signal waiting for its turn
   */
  public Future<Void> send(String signal) {
    if (closed) {
      return Future.failedFuture(new GatewayException(ErrorCode.INVALID_REQUEST, "the program is not running"));
    }
    if (waiting.containsKey(signal)) {
      merged++;
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    waiting.put(signal, promise);
    pump();
    return promise.future();
  }

  private void pump() {
    if (inFlight || waiting.isEmpty()) {
      return;
    }
    Iterator<Map.Entry<String, Promise<Void>>> first = waiting.entrySet().iterator();
    Map.Entry<String, Promise<Void>> next = first.next();
    first.remove();
    inFlight = true;
    Future<Void> call;
    try {
      call = deliver.apply(next.getKey());
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    call.onComplete(ar -> {
      inFlight = false;
      if (ar.succeeded()) {
        delivered++;
      }
      next.getValue().handle(ar);
      pump();
    });
  }

  /**
   * The program ended: signals still waiting fail, later ones too.
   */
  public void close() {
    closed = true;
    GatewayException over = new GatewayException(ErrorCode.INVALID_REQUEST, "the program is not running");
    waiting.values().forEach(p -> p.tryFail(over));
    waiting.clear();
  }

  /**
   * @return signals merged into one already waiting
   */
  long merged() {
    return merged;
  }

  /**
   * @return engine calls that delivered a signal
   */
  long delivered() {
    return delivered;
  }
}
