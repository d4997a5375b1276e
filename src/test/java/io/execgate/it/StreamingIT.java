package io.execgate.it;

import io.execgate.GatewayOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.execgate.it.Frames.ofType;
import static io.execgate.it.Frames.stdoutContaining;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live output over every transport, on the real engine: frames arrive as the program writes them,
 * in order, without gap or duplicate; late joiners get the replay, resumed connections continue
 * exactly; large and multi-byte output arrives intact.
 */
class StreamingIT extends StreamITBase {

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    // 20 MB through one execution: above the default maximum per stream
    options.getExecutor().setMaxLimits(options.getExecutor().getMaxLimits().withOutputBytes(64L << 20));
    return options;
  }

  private static final String A_SLEEP_B = "echo a; sleep 1; echo b";
  private static final long LIVE_GAP_MS = 800;

  private static void assertLive(Frames frames) {
    long a = frames.arrivalOf(stdoutContaining("a"));
    long b = frames.arrivalOf(stdoutContaining("b"));
    long exit = frames.arrivalOf(ofType("exit"));
    assertThat(TimeUnit.NANOSECONDS.toMillis(b - a)).as("a arrives before b").isGreaterThanOrEqualTo(LIVE_GAP_MS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(exit - a)).as("a arrives before exit").isGreaterThanOrEqualTo(LIVE_GAP_MS);
    assertThat(frames.stdout()).isEqualTo("a\nb\n");
    frames.assertCompleteFrom(0);
    JsonObject exitFrame = frames.sequence().get(frames.sequence().size() - 1);
    assertThat(exitFrame.getString("status")).isEqualTo("succeeded");
    assertThat(exitFrame.getInteger("exitCode")).isZero();
    assertThat(exitFrame.containsKey("stdout")).isFalse();
  }

  @Test
  void outputIsLiveOverTheInteractiveSocket() throws Exception {
    Frames frames = interactive(new JsonObject().put("script", A_SLEEP_B));
    frames.awaitExit(30_000);
    frames.awaitEnd(5_000);
    assertLive(frames);
    assertThat(frames.closeCode).isEqualTo((short) 1000);
    assertThat(frames.sequence().get(0).getString("type")).isEqualTo("accepted");
  }

  @Test
  void outputIsLiveToAWatcher() throws Exception {
    String id = submit(new JsonObject().put("script", A_SLEEP_B));
    Frames frames = ws("/v1/executions/" + id + "/stream");
    frames.awaitExit(30_000);
    frames.awaitEnd(5_000);
    assertLive(frames);
    assertThat(frames.sequence().get(0).getString("id")).isEqualTo(id);
  }

  @Test
  void outputIsLiveOverServerSentEvents() throws Exception {
    String id = submit(new JsonObject().put("script", A_SLEEP_B));
    Frames frames = sse("/v1/executions/" + id + "/events", null);
    frames.awaitExit(30_000);
    frames.awaitEnd(5_000);
    assertLive(frames);
  }

  @Test
  void outputIsLiveOverNdjson() throws Exception {
    Frames frames = ndjson(new JsonObject().put("script", A_SLEEP_B));
    frames.awaitExit(30_000);
    frames.awaitEnd(5_000);
    assertLive(frames);
  }

  @Test
  void twentyMegabytesArriveIntactAtASlowOwner() throws Exception {
    int n = 2_700_000;
    StringBuilder expected = new StringBuilder(21 << 20);
    for (int i = 1; i <= n; i++) {
      expected.append(i).append('\n');
    }
    byte[] bytes = expected.toString().getBytes(StandardCharsets.US_ASCII);
    assertThat(bytes.length).isGreaterThan(20_000_000);
    Frames frames = new Frames(true);
    ws(wsClient, "/v1/ws", frames);
    send(frames, new JsonObject().put("type", "run").put("script", "seq 1 " + n)
      .put("limits", new JsonObject().put("outputBytes", 32 << 20).put("timeoutMs", 60_000)));
    frames.awaitType("stdout", 30_000);
    // a reader that stops for a while: the program is paused, nothing is dropped
    frames.ws.pause();
    Thread.sleep(1_500);
    frames.ws.resume();
    JsonObject exit = frames.awaitExit(60_000);
    assertThat(exit.getString("status")).as(exit.encode()).isEqualTo("succeeded");
    assertThat(exit.getBoolean("stdoutTruncated")).isFalse();
    assertThat(frames.stdoutBytes()).isEqualTo(bytes.length);
    assertThat(frames.stdoutSha256()).isEqualTo(sha256(bytes));
    frames.assertCompleteFrom(0);

    // its first frames no longer fit in the retention: a replay from 0 is refused clearly
    String id = frames.sequence().get(0).getString("id");
    Frames late = ws("/v1/executions/" + id + "/stream");
    late.awaitEnd(10_000);
    assertThat(late.closeCode).isEqualTo((short) 4010);
    assertThat(late.all()).hasSize(1);
    assertThat(late.all().get(0).getString("type")).isEqualTo("error");
    assertThat(late.all().get(0).getString("code")).isEqualTo("replay_unavailable");
    HttpResponse<Buffer> events = get("/v1/executions/" + id + "/events");
    assertThat(events.statusCode()).isEqualTo(410);
    assertThat(events.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("replay_unavailable");
  }

  private static final String THIRTY_LINES = "for i in $(seq 1 30); do echo line$i; sleep 0.05; done";

  private static String thirtyLines() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      sb.append("line").append(i).append('\n');
    }
    return sb.toString();
  }

  @Test
  void aWatcherJoiningMidRunGetsTheReplayFromSeqZero() throws Exception {
    String id = submit(new JsonObject().put("script", THIRTY_LINES));
    Frames early = ws("/v1/executions/" + id + "/stream");
    early.await(stdoutContaining("line10"), 30_000);
    Frames late = ws("/v1/executions/" + id + "/stream");
    JsonObject exit = late.awaitExit(30_000);
    early.awaitExit(5_000);
    assertThat(exit.getString("status")).isEqualTo("succeeded");
    late.assertCompleteFrom(0);
    early.assertCompleteFrom(0);
    assertThat(late.sequence()).isEqualTo(early.sequence());
    assertThat(late.stdout()).isEqualTo(thirtyLines());

    // and after the end, within the grace period, the real frames are still replayed
    Frames after = ws("/v1/executions/" + id + "/stream");
    after.awaitEnd(10_000);
    assertThat(after.closeCode).isEqualTo((short) 1000);
    assertThat(after.sequence()).isEqualTo(early.sequence());
  }

  @Test
  void aResumedConnectionContinuesExactlyWhereItStopped() throws Exception {
    String id = submit(new JsonObject().put("script", THIRTY_LINES));
    Frames reference = ws("/v1/executions/" + id + "/stream");
    Frames first = ws("/v1/executions/" + id + "/stream");
    first.await(stdoutContaining("line5"), 30_000);
    await(first.ws.close());
    first.awaitEnd(5_000);
    List<JsonObject> before = first.sequence();
    long last = before.get(before.size() - 1).getLong("seq");

    Frames resumed = ws("/v1/executions/" + id + "/stream?fromSeq=" + (last + 1));
    Frames sse = sse("/v1/executions/" + id + "/events", String.valueOf(last));
    resumed.awaitExit(30_000);
    sse.awaitExit(30_000);
    reference.awaitExit(30_000);
    resumed.assertCompleteFrom(last + 1);
    sse.assertCompleteFrom(last + 1);
    List<JsonObject> joined = new ArrayList<>(before);
    joined.addAll(resumed.sequence());
    assertThat(joined).isEqualTo(reference.sequence());
    assertThat(sse.sequence()).isEqualTo(resumed.sequence());

    // past the end there is nothing left: SSE answers 204 so that an EventSource stops reconnecting
    long exitSeq = reference.sequence().get(reference.sequence().size() - 1).getLong("seq");
    HttpResponse<Buffer> done = await(client.get("/v1/executions/" + id + "/events")
      .putHeader("last-event-id", String.valueOf(exitSeq)).send());
    assertThat(done.statusCode()).isEqualTo(204);
    HttpResponse<Buffer> bad = get("/v1/executions/" + id + "/events?fromSeq=x");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("fromSeq");
  }

  @Test
  void fourByteCharactersWrittenByteByByteArriveIntact() throws Exception {
    String script = "for b in '\\360' '\\237' '\\230' '\\200' x '\\344' '\\270' '\\255' '\\342' '\\202' '\\254' '\\n'; "
      + "do printf \"$b\"; printf \"$b\" >&2; sleep 0.05; done";
    Frames frames = interactive(new JsonObject().put("script", script));
    frames.awaitExit(30_000);
    assertThat(frames.stdout()).isEqualTo("\uD83D\uDE00x\u4e2d\u20ac\n");
    StringBuilder stderr = new StringBuilder();
    for (JsonObject f : frames.sequence()) {
      if (f.getString("data") != null) {
        assertThat(f.getString("data")).doesNotContain("\uFFFD");
        String data = f.getString("data");
        assertThat(Character.isHighSurrogate(data.charAt(data.length() - 1))).isFalse();
      }
      if ("stderr".equals(f.getString("type"))) {
        stderr.append(f.getString("data"));
      }
    }
    assertThat(stderr.toString()).isEqualTo("\uD83D\uDE00x\u4e2d\u20ac\n");
    // written byte by byte, the characters still came in several frames: they were not buffered to the end
    assertThat(frames.sequence().stream().filter(ofType("stdout")).count()).isGreaterThan(1);
  }

  @Test
  void unknownExecutionsAndNonWebSocketRequestsAreRefusedBeforeStreaming() {
    assertThat(get("/v1/executions/00000000-0000-0000-0000-000000000000/events").statusCode()).isEqualTo(404);
    HttpResponse<Buffer> plain = get("/v1/executions/00000000-0000-0000-0000-000000000000/stream");
    assertThat(plain.statusCode()).isEqualTo(400);
    assertThat(plain.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("WebSocket");
    HttpResponse<Buffer> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("src=\"assets/app.js\"").doesNotContain("http://", "https://");
    assertThat(get("/assets/app.js").statusCode()).isEqualTo(200);
  }
}
