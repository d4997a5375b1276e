package io.execgate.http;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The header deadline and the idle timeout on a real server and real sockets, with short deadlines:
 * what is cut (a silent connection, a slowloris, an idle keep-alive connection, a stalled body) and
 * what never is (a client waiting for a slow answer, an upgraded WebSocket).
 */
class ConnectionGuardTest {

  private static final long HEADER_MS = 600;
  private static final long IDLE_MS = 900;
  /**
   * How late a cut may come past its sweep: the guard's timer and the close run on an event loop that
   * a loaded machine (a CI run, other builds) may schedule late; "never cut" is told apart by the
   * 5 s each probe waits, and "cut too early" by the lower bounds, which stay exact.
   */
  private static final long LATE_MS = 1_500;

  private Vertx vertx;
  private Context ctx;
  private ConnectionGuard guard;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
    guard = new ConnectionGuard(vertx, HEADER_MS, IDLE_MS);
    Promise<Integer> listening = Promise.promise();
    // the guard and the server on one event loop, as in the HTTP verticle
    ctx.runOnContext(v -> {
      guard.start();
      vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setHttp2ClearTextEnabled(false))
        .connectionHandler(guard::connected)
        .requestHandler(guard.requests(req -> {
          switch (req.path()) {
            case "/slow" -> vertx.setTimer(3 * IDLE_MS, t -> req.response().end("late"));
            case "/ws" -> req.toWebSocket().onSuccess(ws -> ws.textMessageHandler(ws::writeTextMessage));
            default -> req.body().onSuccess(b -> req.response().end("ok " + b.length()));
          }
        }))
        .listen().map(HttpServer::actualPort).onComplete(listening);
    });
    port = listening.future().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * @return ms from connect until the server closed the connection (at most {@code maxMs}, -1 if still open)
   */
  private long closedAfter(String send, long dripMs, long maxMs) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      long t0 = System.nanoTime();
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(send.getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout((int) (dripMs > 0 ? dripMs : 100));
      while ((System.nanoTime() - t0) / 1_000_000 < maxMs) {
        try {
          if (in.read() < 0) {
            return (System.nanoTime() - t0) / 1_000_000;
          }
        } catch (SocketTimeoutException quiet) {
          if (dripMs > 0) {
            try {
              out.write('a');
            } catch (IOException gone) {
              return (System.nanoTime() - t0) / 1_000_000;
            }
          }
        } catch (IOException reset) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
      }
      return -1;
    }
  }

  @Test
  void aConnectionWithoutACompleteHeadIsCutAtTheDeadlineHoweverItDrips() throws Exception {
    long slack = ConnectionGuard.SWEEP_MS + LATE_MS;
    assertThat(closedAfter("", 0, 5_000)).isBetween(HEADER_MS, HEADER_MS + slack);
    assertThat(closedAfter("GET / HTTP/1.1\r\nHost: x\r\n", 0, 5_000)).isBetween(HEADER_MS, HEADER_MS + slack);
    // one header byte every 100 ms: the connection is never idle, and still cut at the deadline
    assertThat(closedAfter("GET / HTTP/1.1\r\nX-Slow: ", 100, 5_000)).isBetween(HEADER_MS, HEADER_MS + slack);
  }

  /**
   * @return whether the guard's timer runs, read on its event loop
   */
  private boolean sweeping() throws Exception {
    Promise<Boolean> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(guard.sweeping()));
    return p.future().await(5, TimeUnit.SECONDS);
  }

  @Test
  void theChecksRunOnlyWhileAConnectionHasADeadline() throws Exception {
    // an idle server has no timer: its event loop sleeps
    assertThat(sweeping()).isFalse();
    long slack = ConnectionGuard.SWEEP_MS + LATE_MS;
    assertThat(closedAfter("", 0, 5_000)).isBetween(HEADER_MS, HEADER_MS + slack);
    // the connection cut, the next sweep finds nothing left to check and stops
    long deadline = System.currentTimeMillis() + 2 * ConnectionGuard.SWEEP_MS + LATE_MS;
    while (sweeping() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(sweeping()).isFalse();
    // the next connection starts the checks again: cut at its deadline all the same
    assertThat(closedAfter("GET / HTTP/1.1\r\nX-Slow: ", 100, 5_000)).isBetween(HEADER_MS, HEADER_MS + slack);
  }

  @Test
  void aKeptAliveConnectionHasTheDeadlineAgainAfterEachResponse() throws Exception {
    // answered at once, then idle: cut one deadline after the response
    long ms = closedAfter("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, 5_000);
    assertThat(ms).isBetween(HEADER_MS, HEADER_MS + ConnectionGuard.SWEEP_MS + LATE_MS);
  }

  @Test
  void aStalledOrDrippingBodyIsCutAtTheIdleTimeoutAndASlowUploadIsNot() throws Exception {
    // progress is seen at a sweep, the stall at a later one
    long slack = 2 * ConnectionGuard.SWEEP_MS + LATE_MS;
    String head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
    assertThat(closedAfter(head + "0123456789", 0, 5_000)).isBetween(IDLE_MS, IDLE_MS + slack);
    // a byte every 100 ms is never idle, and far below 1 KiB/s: cut once the idle timeout has passed
    assertThat(closedAfter(head, 100, 5_000)).isBetween(IDLE_MS, IDLE_MS + slack);
    // 2 KiB/s goes on past it
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + 16 * 200 + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 16; i++) {
        out.write(new byte[200]);
        Thread.sleep(100);
      }
      String answer = new String(s.getInputStream().readNBytes(60), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 200").contains("ok 3200");
    }
  }

  @Test
  void aClientWaitingForItsAnswerOrHoldingAWebSocketIsNeverCut() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readNBytes(100), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith("late");
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setSoTimeout((int) (3 * HEADER_MS));
      s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      byte[] head = new byte[129];
      int n = s.getInputStream().read(head);
      assertThat(new String(head, 0, n, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 101");
      // silent for three header deadlines: still open (the read times out instead of ending)
      try {
        assertThat(s.getInputStream().read()).isNotNegative();
      } catch (SocketTimeoutException stillOpen) {
        // expected
      }
    }
  }
}
