package io.execgate.it;

import io.execgate.GatewayOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output as binary WebSocket messages under the {@code execgate.binary.v1} subprotocol, on the real
 * engine with the real Vert.x client: the same bytes as the JSON frames and the raw endpoint, every
 * seq in order with stdout and stderr apart, JSON by default and for any other subprotocol, a client's
 * binary message closed with 4000, and the slow-reader rules unchanged.
 */
class BinaryFramesIT extends StreamITBase {

  static final String SUBPROTOCOL = "execgate.binary.v1";
  static final int HEADER = 20;

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getExecutor().setMaxLimits(options.getExecutor().getMaxLimits().withOutputBytes(64L << 20));
    // a watcher may fall this far behind: the stalled-watcher rule is reached with a few MB
    options.getExecutor().setStreamRetainBytes(2 << 20);
    return options;
  }

  /** One message received: a decoded binary output frame, or a JSON text frame. */
  record Msg(long seq, String type, int stage, int test, long t, byte[] bytes, JsonObject json) {
  }

  /** What one client received, in order, over either protocol. */
  static final class Received {
    final List<Msg> messages = new ArrayList<>();
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int binaryMessages;
    int badHeaders;
    volatile ClientWebSocket ws;
    volatile Short closeCode;
    volatile String closeReason;

    synchronized void binary(Buffer b) {
      binaryMessages++;
      if (b.length() < HEADER || b.getByte(0) != 1 || b.getByte(3) != 0 || b.getByte(2) > 1
        || (b.getByte(1) != 1 && b.getByte(1) != 2)) {
        badHeaders++;
        return;
      }
      boolean err = b.getByte(1) == 2;
      byte[] bytes = b.getBytes(HEADER, b.length());
      messages.add(new Msg(b.getLong(4), err ? "stderr" : "stdout", b.getByte(2), b.getInt(16),
        Integer.toUnsignedLong(b.getInt(12)), bytes, null));
      (err ? stderr : stdout).writeBytes(bytes);
    }

    synchronized void text(String text) {
      JsonObject f = new JsonObject(text);
      String type = f.getString("type");
      byte[] bytes = f.getString("data") == null ? null : f.getString("data").getBytes(StandardCharsets.UTF_8);
      if ("stdout".equals(type)) {
        stdout.writeBytes(bytes);
      } else if ("stderr".equals(type)) {
        stderr.writeBytes(bytes);
      }
      messages.add(new Msg(f.getLong("seq"), type, 0, -1, f.getLong("t"), bytes, f));
    }

    synchronized List<Msg> all() {
      return new ArrayList<>(messages);
    }

    synchronized byte[] stdout() {
      return stdout.toByteArray();
    }

    synchronized byte[] stderr() {
      return stderr.toByteArray();
    }

    synchronized int binaryMessages() {
      return binaryMessages;
    }

    /** Asserts the execution's sequence from 0: consecutive seqs, one exit, last; returns the exit frame. */
    synchronized JsonObject assertComplete() {
      List<Msg> seq = messages.stream().filter(m -> m.seq() >= 0).toList();
      for (int i = 0; i < seq.size(); i++) {
        assertThat(seq.get(i).seq()).as("message %d", i).isEqualTo(i);
      }
      assertThat(badHeaders).isZero();
      Msg last = seq.get(seq.size() - 1);
      assertThat(last.type()).as("closed %s %s after %d messages", closeCode, closeReason, messages.size())
        .isEqualTo("exit");
      return last.json();
    }

    void await() throws Exception {
      ended.get(60, TimeUnit.SECONDS);
    }
  }

  private Received connect(WebSocketClient client, String uri, boolean binary) {
    Received r = new Received();
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(r::text);
    ws.binaryMessageHandler(r::binary);
    ws.closeHandler(v -> {
      r.closeCode = ws.closeStatusCode();
      r.closeReason = ws.closeReason();
      r.ended.complete(null);
    });
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(gateway.actualPort()).setURI(uri);
    if (binary) {
      connect.addSubProtocol(SUBPROTOCOL);
    }
    await(ws.connect(connect));
    r.ws = ws;
    if (binary) {
      assertThat(ws.subProtocol()).isEqualTo(SUBPROTOCOL);
    }
    return r;
  }

  private Received run(boolean binary, JsonObject body) {
    Received r = connect(wsClient, "/v1/ws", binary);
    await(r.ws.writeTextMessage(body.copy().put("type", "run").encode()));
    return r;
  }

  @Test
  void nonUtf8OutputIsTheSameBytesInBinaryJsonAndRaw() throws Exception {
    JsonObject body = new JsonObject().put("script", "printf '\\377\\376\\000abc'; printf 'e\\000r' >&2");
    Received binary = run(true, body);
    binary.await();
    assertThat(binary.closeCode).isEqualTo((short) 1000);
    JsonObject exit = binary.assertComplete();
    assertThat(exit.getString("status")).isEqualTo("succeeded");
    // the executor decodes output as UTF-8: each ill-formed byte is U+FFFD, as in every other view
    byte[] expected = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD, (byte) 0xEF, (byte) 0xBF, (byte) 0xBD, 0, 'a', 'b', 'c'};
    assertThat(binary.stdout()).isEqualTo(expected);
    assertThat(binary.stderr()).isEqualTo(new byte[]{'e', 0, 'r'});
    List<Msg> output = binary.all().stream().filter(m -> m.json() == null).toList();
    assertThat(output).isNotEmpty().allSatisfy(m -> {
      assertThat(m.stage()).isZero();
      assertThat(m.test()).isEqualTo(-1);
      assertThat(m.t()).isBetween(0L, 60_000L);
    });
    assertThat(binary.binaryMessages()).isEqualTo(output.size());
    // control frames stay JSON text
    assertThat(binary.all().get(0).json().getString("type")).isEqualTo("accepted");
    String id = binary.all().get(0).json().getString("id");

    Received json = run(false, body);
    json.await();
    json.assertComplete();
    assertThat(json.binaryMessages()).as("JSON is the default").isZero();
    assertThat(json.stdout()).isEqualTo(expected);
    assertThat(json.stderr()).isEqualTo(new byte[]{'e', 0, 'r'});

    assertThat(get("/v1/executions/" + id + "/stdout").body().getBytes()).isEqualTo(expected);
    // a watcher's replay in binary too
    Received watcher = connect(wsClient, "/v1/executions/" + id + "/stream", true);
    watcher.await();
    watcher.assertComplete();
    assertThat(watcher.stdout()).isEqualTo(expected);
    assertThat(watcher.stderr()).isEqualTo(new byte[]{'e', 0, 'r'});
  }

  @Test
  void fiveMegabytesArriveCompleteInOrderWithTheStreamsApart() throws Exception {
    int lines = 500_000;
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= lines; i++) {
      out.append(i).append('\n');
    }
    StringBuilder err = new StringBuilder();
    for (int i = 1; i <= 20_000; i++) {
      err.append("e").append(i).append('\n');
    }
    byte[] expectedOut = (out.toString() + out).getBytes(StandardCharsets.US_ASCII);
    assertThat(expectedOut.length).isGreaterThan(5_000_000);
    Received r = run(true, new JsonObject()
      .put("script", "seq 1 " + lines + "; for i in $(seq 1 20000); do echo e$i; done >&2 & seq 1 " + lines + "; wait")
      .put("limits", new JsonObject().put("outputBytes", 16 << 20).put("timeoutMs", 60_000)));
    r.await();
    JsonObject exit = r.assertComplete();
    assertThat(exit.getString("status")).as(exit.encode()).isEqualTo("succeeded");
    assertThat(exit.getBoolean("stdoutTruncated")).isFalse();
    // the two seq runs are sequential in the script's main shell: stdout is exactly both
    assertThat(sha256(r.stdout())).isEqualTo(sha256(expectedOut));
    assertThat(new String(r.stderr(), StandardCharsets.US_ASCII)).isEqualTo(err.toString());
    assertThat(r.binaryMessages()).isGreaterThan(1);
  }

  @Test
  void anUnknownSubprotocolGetsNoneConfirmedAndJsonFrames() throws Exception {
    java.net.http.HttpClient jdk = java.net.http.HttpClient.newHttpClient();
    List<CharSequence> texts = new ArrayList<>();
    int[] binaries = {0};
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket ws = jdk.newWebSocketBuilder().subprotocols("execgate.binary.v9", "evil")
      .buildAsync(URI.create("ws://127.0.0.1:" + gateway.actualPort() + "/v1/ws"), new WebSocket.Listener() {
        private final StringBuilder part = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
          part.append(data);
          if (last) {
            synchronized (texts) {
              texts.add(part.toString());
            }
            part.setLength(0);
          }
          w.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
          binaries[0]++;
          w.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
          closed.complete(statusCode);
          return null;
        }
      }).get(30, TimeUnit.SECONDS);
    try {
      assertThat(ws.getSubprotocol()).isEmpty();
      ws.sendText(new JsonObject().put("type", "run").put("script", "echo hi").encode(), true).get(10, TimeUnit.SECONDS);
      assertThat(closed.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
      synchronized (texts) {
        assertThat(texts.stream().map(t -> new JsonObject(t.toString()))
          .filter(f -> "stdout".equals(f.getString("type"))).map(f -> f.getString("data"))).containsExactly("hi\n");
      }
      assertThat(binaries[0]).isZero();
    } finally {
      ws.abort();
    }
  }

  @Test
  void aClientsBinaryMessageClosesTheSocketWith4000() throws Exception {
    byte[] garbage = new byte[4096];
    new java.util.Random(15).nextBytes(garbage);
    // before a run
    Received r = connect(wsClient, "/v1/ws", true);
    r.ws.writeBinaryMessage(Buffer.buffer(garbage));
    r.await();
    assertThat(r.closeCode).isEqualTo((short) 4000);
    assertThat(r.closeReason).contains("binary messages from the client are not accepted");
    assertThat(r.all()).hasSize(1);
    assertThat(r.all().get(0).json().getString("code")).isEqualTo("protocol_violation");

    // during one: a watcher's binary message closes the watcher only; the owner's cancels the execution
    Received running = run(true, new JsonObject().put("script", "echo started; sleep 30"));
    awaitStdout(running, "started");
    String id = running.all().get(0).json().getString("id");
    Received watcher = connect(wsClient, "/v1/executions/" + id + "/stream", true);
    awaitStdout(watcher, "started");
    watcher.ws.writeBinaryMessage(Buffer.buffer(garbage));
    watcher.await();
    assertThat(watcher.closeCode).isEqualTo((short) 4000);
    assertThat(get("/v1/executions/" + id).bodyAsJsonObject().getString("status")).isEqualTo("running");
    running.ws.writeBinaryMessage(Buffer.buffer(garbage));
    running.await();
    assertThat(running.closeCode).isEqualTo((short) 4000);
    assertThat(awaitStatus(id, GatewayITBase::isFinal, 20_000).getString("status")).isEqualTo("cancelled");
  }

  private static void awaitStdout(Received r, String text) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!new String(r.stdout(), StandardCharsets.UTF_8).contains(text)) {
      assertThat(System.currentTimeMillis()).as("no %s in %s", text, r.all()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void aSlowBinaryOwnerPausesTheProgramAndAStalledWatcherIsClosed() throws Exception {
    int n = 1_500_000;
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      expected.append(i).append('\n');
    }
    byte[] bytes = expected.toString().getBytes(StandardCharsets.US_ASCII);
    WebSocketClient small = vertx.createWebSocketClient(wsOptions().setReceiveBufferSize(16 * 1024));
    try {
      Received owner = connect(small, "/v1/ws", true);
      await(owner.ws.writeTextMessage(new JsonObject().put("type", "run").put("script", "seq 1 " + n)
        .put("limits", new JsonObject().put("outputBytes", 16 << 20).put("timeoutMs", 60_000)).encode()));
      awaitStdout(owner, "1\n");
      // a reader that stops: the program is held, nothing is dropped
      owner.ws.pause();
      Thread.sleep(2_000);
      owner.ws.resume();
      owner.await();
      JsonObject exit = owner.assertComplete();
      assertThat(exit.getString("status")).isEqualTo("succeeded");
      assertThat(exit.getLong("durationMs")).as("the program waited for its reader").isGreaterThanOrEqualTo(1_500L);
      assertThat(sha256(owner.stdout())).isEqualTo(sha256(bytes));

      // a watcher that stops reading at once falls past the retention and is closed, binary or not
      String id = submit(new JsonObject().put("script", "sleep 1; i=0; while [ $i -lt 15 ]; do "
          + "seq $((i * 100000 + 1)) $(((i + 1) * 100000)); sleep 0.1; i=$((i + 1)); done")
        .put("limits", new JsonObject().put("outputBytes", 16 << 20).put("timeoutMs", 60_000)));
      Received stalled = connect(small, "/v1/executions/" + id + "/stream", true);
      stalled.ws.pause();
      awaitStatus(id, GatewayITBase::isFinal, 30_000);
      stalled.ws.resume();
      stalled.await();
      assertThat(stalled.closeCode).isEqualTo((short) 4008);
      List<Msg> got = stalled.all();
      assertThat(got.get(got.size() - 1).json().getString("code")).isEqualTo("stream_too_slow");
    } finally {
      await(small.close());
    }
  }
}
