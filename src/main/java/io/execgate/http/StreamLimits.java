package io.execgate.http;

import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the streams a gateway node holds open (WebSocket and SSE watchers, interactive sockets,
 * NDJSON submits): at most {@code http.maxStreams} in all and each key's {@code maxStreams}. Every
 * one may buffer up to {@code http.streamBufferBytes}: without a bound, one key could hold the heap
 * with watchers of a single execution. A stream beyond a bound is refused before it opens (before a
 * WebSocket upgrade) with 429 {@code too_many_streams} and {@code Retry-After}. The counts are shared
 * by the node's HTTP verticle instances.
 */
final class StreamLimits {

  /** Seconds a refused client is told to wait: streams are long-lived, a retry at once would not fit. */
  static final int RETRY_AFTER_SECONDS = 5;

  private final Counts counts;
  private final int maxStreams;

  StreamLimits(Vertx vertx, String addressPrefix, int maxStreams) {
    this.counts = vertx.sharedData().<String, Counts>getLocalMap(new Addresses(addressPrefix).streamsMap())
      .computeIfAbsent("counts", k -> new Counts());
    this.maxStreams = maxStreams;
  }

  /**
   * Takes a place for a stream of the request's caller.
   *
   * @return what gives the place back (once, however often it is called)
   * @throws GatewayException {@link ErrorCode#TOO_MANY_STREAMS}, with {@code Retry-After} set on the response
   */
  Runnable open(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    String refusal = counts.acquire(principal.id(), principal.maxStreams(), maxStreams);
    if (refusal != null) {
      ctx.response().putHeader("retry-after", String.valueOf(RETRY_AFTER_SECONDS));
      throw new GatewayException(ErrorCode.TOO_MANY_STREAMS, refusal);
    }
    boolean[] released = new boolean[1];
    return () -> {
      // streams end on the event loop that opened them
      if (!released[0]) {
        released[0] = true;
        counts.release(principal.id());
      }
    };
  }

  /**
   * @return the streams open on this node
   */
  int open() {
    return counts.total();
  }

  /**
   * The node's counts, by key; thread-safe (the HTTP instances run on several event loops).
   */
  static final class Counts implements Shareable {

    private final Map<String, Integer> byKey = new HashMap<>();
    private int total;

    /**
     * @param perKey the key's own limit, 0 for none
     * @return {@code null} when a place was taken, else why not
     */
    synchronized String acquire(String key, int perKey, int max) {
      int mine = byKey.getOrDefault(key, 0);
      if (perKey > 0 && mine >= perKey) {
        return "key '" + key + "' already holds " + mine + " streams open (watchers, event streams, sockets), its limit";
      }
      if (total >= max) {
        return "this gateway already holds " + total + " streams open, its limit; retry later";
      }
      byKey.put(key, mine + 1);
      total++;
      return null;
    }

    synchronized void release(String key) {
      byKey.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
      total--;
    }

    synchronized int total() {
      return total;
    }
  }
}
