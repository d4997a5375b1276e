package io.execgate.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deadlines on the connections of one HTTP server (one event loop), which Vert.x does not have:
 * <ul>
 *   <li>the header deadline: a connection without a request in progress (just opened, or its last
 *   response ended) must deliver a complete request head within {@code headerTimeoutMs}, else it is
 *   closed. A slowloris that sends a header byte per second is cut there, not kept alive by its bytes;
 *   an idle keep-alive connection too;</li>
 *   <li>the idle timeout: a request whose body stops arriving for {@code idleTimeoutMs} closes its
 *   connection; so does one whose body, past that time, has come slower than
 *   {@value #MIN_BODY_BYTES_PER_SECOND} bytes a second on average (a byte now and then would
 *   otherwise hold the connection for ever).</li>
 * </ul>
 * A request whose body has arrived is the gateway's to answer: a client waiting for a long
 * {@code wait=true} result, or reading a stream slowly, is never cut (an owner that does not read
 * blocks only its own program). An upgraded WebSocket keeps itself alive with pings. The checks run
 * every {@value #SWEEP_MS} ms on the server's event loop, so a deadline is met within that much, and
 * only while a connection has a deadline to meet: an idle server (no connection, or only WebSockets)
 * has no timer, so its event loop sleeps.
 */
final class ConnectionGuard {

  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
  static final long SWEEP_MS = 250;
  static final long MIN_BODY_BYTES_PER_SECOND = 1024;

  private final Vertx vertx;
  private final long headerTimeoutMs;
  private final long idleTimeoutMs;
  private final Map<HttpConnection, Tracked> connections = new IdentityHashMap<>();
  private long timer = -1;
  private boolean stopped = true;
  private long cut;

  private static final class Tracked {
    final List<InFlight> requests = new ArrayList<>(1);
    /** Since when the connection has had no request in progress; -1 while it has one. */
    long idleSince;
    boolean upgraded;

    Tracked(long now) {
      idleSince = now;
    }
  }

  private static final class InFlight {
    final HttpServerRequest request;
    final long startedAt;
    long bytesRead;
    long progressAt;

    InFlight(HttpServerRequest request, long now) {
      this.request = request;
      this.startedAt = now;
      this.progressAt = now;
    }
  }

  ConnectionGuard(Vertx vertx, long headerTimeoutMs, long idleTimeoutMs) {
    this.vertx = vertx;
    this.headerTimeoutMs = headerTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /**
   * Starts the checks; call on the server's event loop. They run while a connection is tracked.
   */
  void start() {
    stopped = false;
  }

  void stop() {
    stopped = true;
    disarm();
  }

  private void arm() {
    if (timer < 0 && !stopped) {
      timer = vertx.setPeriodic(SWEEP_MS, t -> sweep());
    }
  }

  private void disarm() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /**
   * The server's connection handler: the header deadline starts when the connection opens.
   */
  void connected(HttpConnection connection) {
    track(connection);
  }

  /**
   * @return a request handler that tracks each request, then hands it to {@code next}
   */
  Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
    return request -> {
      Tracked t = track(request.connection());
      t.requests.add(new InFlight(request, now()));
      t.idleSince = -1;
      next.handle(request);
    };
  }

  /**
   * @return whether the checks run (a connection has a deadline to meet)
   */
  boolean sweeping() {
    return timer >= 0;
  }

  /**
   * @return connections cut so far by a deadline
   */
  long cut() {
    return cut;
  }

  private Tracked track(HttpConnection connection) {
    Tracked t = connections.get(connection);
    if (t == null) {
      t = new Tracked(now());
      connections.put(connection, t);
      connection.closeHandler(v -> connections.remove(connection));
    }
    arm();
    return t;
  }

  private void sweep() {
    long now = now();
    boolean watched = false;
    for (Map.Entry<HttpConnection, Tracked> e : new ArrayList<>(connections.entrySet())) {
      Tracked t = e.getValue();
      if (t.upgraded) {
        continue;
      }
      String why = check(t, now);
      if (why != null) {
        connections.remove(e.getKey());
        cut++;
        log.debug("closing connection from {}: {}", e.getKey().remoteAddress(), why);
        e.getKey().close();
      } else {
        watched |= !t.upgraded;
      }
    }
    if (!watched) {
      // nothing left with a deadline: the next connection arms the checks again
      disarm();
    }
  }

  /**
   * @return why the connection is to be closed now, or {@code null}
   */
  private String check(Tracked t, long now) {
    t.requests.removeIf(r -> {
      HttpServerResponse response = r.request.response();
      boolean done = response.ended() || response.closed();
      if (done && response.getStatusCode() == 101) {
        t.upgraded = true;
      }
      return done;
    });
    if (t.upgraded) {
      return null;
    }
    if (t.requests.isEmpty()) {
      if (t.idleSince < 0) {
        t.idleSince = now;
      } else if (now - t.idleSince >= headerTimeoutMs) {
        return "no complete request head within " + headerTimeoutMs + " ms";
      }
      return null;
    }
    for (InFlight r : t.requests) {
      if (r.request.isEnded()) {
        continue;
      }
      long read = r.request.bytesRead();
      if (read != r.bytesRead) {
        r.bytesRead = read;
        r.progressAt = now;
      } else if (now - r.progressAt >= idleTimeoutMs) {
        return "no byte of the request body for " + idleTimeoutMs + " ms";
      }
      long elapsed = now - r.startedAt;
      if (elapsed >= idleTimeoutMs && read * 1000 < MIN_BODY_BYTES_PER_SECOND * elapsed) {
        return "the request body came at " + read * 1000 / elapsed + " bytes/s after " + elapsed + " ms";
      }
    }
    return null;
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
