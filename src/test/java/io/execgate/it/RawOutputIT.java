package io.execgate.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v1/executions/{id}/stdout} and {@code /stderr} on the runnable jar ({@code -Xmx512m}):
 * the bytes as written, live and after the end, from an offset; and its attacker's tests: another
 * key's id, bad offsets, a client that never reads while the program prints 50 MB, many opens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawOutputIT {

  private static final int MAX_STREAMS = 4;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private AttackedGateway gateway;

  @BeforeAll
  void start() throws Exception {
    gateway = new AttackedGateway(new JsonObject()
      .put("executor", new JsonObject().put("maxLimits", new JsonObject().put("outputBytes", 64 << 20)))
      .put("auth", new JsonObject().put("keyDefaults", new JsonObject().put("maxStreams", MAX_STREAMS))), Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    if (gateway != null) {
      gateway.assertNoOutOfMemoryError();
      gateway.assertAllRecordsFinal(30_000);
      gateway.assertNoExecutionContainerLeft(30_000);
      gateway.close();
    }
  }

  private String submit(String key, String script, long outputBytes) throws Exception {
    JsonObject body = new JsonObject().put("script", script)
      .put("limits", new JsonObject().put("outputBytes", outputBytes).put("timeoutMs", 30_000));
    HttpResponse<String> r = gateway.post("/v1/executions", key, body.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("id");
    gateway.track(id);
    return id;
  }

  private JsonObject await(String key, String id) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      HttpResponse<String> r = gateway.get("/v1/executions/" + id, key);
      JsonObject record = new JsonObject(r.body());
      String status = record.getString("status");
      if (status != null && List.of("succeeded", "failed", "timeout", "oom_killed", "output_limit", "cancelled",
        "error").contains(status)) {
        return record;
      }
      assertThat(System.currentTimeMillis()).as("execution %s: %d %s", id, r.statusCode(),
        r.body().length() > 300 ? r.body().substring(0, 300) : r.body()).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private HttpResponse<byte[]> raw(String key, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(60))
      .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] allBytes() {
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  /** A printf argument that writes {@code bytes} (octal escapes only: no quote, no %). */
  private static String printf(byte[] bytes) {
    StringBuilder s = new StringBuilder("printf '");
    for (byte b : bytes) {
      s.append(String.format("\\%03o", b & 0xff));
    }
    return s.append("'").toString();
  }

  @Test
  void everyByteAsRelayedAndValidUtf8Exactly() throws Exception {
    byte[] valid = "é€𝄞 naïve\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = allBytes();
    String id = submit(gateway.victimKey, printf(all) + "; " + printf(valid) + "; " + printf(new byte[]{'e', 'r', 'r', 0, 10})
      + " >&2", 1 << 20);
    JsonObject record = await(gateway.victimKey, id);
    assertThat(record.getString("status")).as(record.encode()).isEqualTo("succeeded");

    HttpResponse<byte[]> out = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout");
    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(out.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(out.headers().firstValue("x-execgate-truncated")).hasValue("false");
    byte[] body = out.body();
    // 0x00-0x7f and well-formed UTF-8 exactly as written
    for (int i = 0; i < 128; i++) {
      assertThat(body[i]).as("byte %d", i).isEqualTo((byte) i);
    }
    byte[] tail = java.util.Arrays.copyOfRange(body, body.length - valid.length, body.length);
    assertThat(tail).isEqualTo(valid);
    // ill-formed bytes as the executor decoded them (U+FFFD), the same as the record's text says
    byte[] expected = concat(new String(all, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), valid);
    assertThat(body).isEqualTo(expected);
    assertThat(body).isEqualTo(record.getString("stdout").getBytes(StandardCharsets.UTF_8));

    HttpResponse<byte[]> err = raw(gateway.victimKey, "/v1/executions/" + id + "/stderr");
    assertThat(err.statusCode()).isEqualTo(200);
    assertThat(err.body()).isEqualTo(new byte[]{'e', 'r', 'r', 0, 10});

    // from an offset, inside a multi-byte character too (the bytes, not the characters, are counted)
    HttpResponse<byte[]> from = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout?offset=" + (expected.length - 5));
    assertThat(from.body()).isEqualTo(java.util.Arrays.copyOfRange(expected, expected.length - 5, expected.length));
    // past the end: nothing
    HttpResponse<byte[]> past = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout?offset=" + Long.MAX_VALUE);
    assertThat(past.statusCode()).isEqualTo(200);
    assertThat(past.body()).isEmpty();

    // the operator's key may read it
    assertThat(raw(gateway.adminKey, "/v1/executions/" + id + "/stdout").body()).isEqualTo(expected);
  }

  @Test
  void aRunningExecutionIsFollowedUntilItsEnd() throws Exception {
    String id = submit(gateway.victimKey, "for i in 1 2 3 4 5; do echo line$i; sleep 0.3; done", 1 << 20);
    long t0 = System.nanoTime();
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(gateway.uri("/v1/executions/" + id + "/stdout"))
      .header("authorization", "Bearer " + gateway.victimKey).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    try (InputStream in = r.body()) {
      byte[] first = in.readNBytes(6);
      long firstMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("line1\n");
      byte[] rest = in.readAllBytes();
      long allMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(new String(rest, StandardCharsets.UTF_8)).isEqualTo("line2\nline3\nline4\nline5\n");
      // live: the first line long before the last
      assertThat(allMs - firstMs).as("first at %d ms, end at %d ms", firstMs, allMs).isGreaterThan(800);
    }
  }

  @Test
  void aMultiMebibyteOutputArrivesWhole() throws Exception {
    // 3.4 MB: below the executor's retention and the record's, so live and later both have it whole
    String id = submit(gateway.victimKey, "seq 1 500000", 8 << 20);
    HttpResponse<byte[]> live = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout");
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 500_000; i++) {
      expected.append(i).append('\n');
    }
    byte[] want = expected.toString().getBytes(StandardCharsets.US_ASCII);
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body().length).isEqualTo(want.length);
    assertThat(StreamITBase.sha256(live.body())).isEqualTo(StreamITBase.sha256(want));
    await(gateway.victimKey, id);
    HttpResponse<byte[]> after = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout?offset=1000000");
    assertThat(StreamITBase.sha256(after.body()))
      .isEqualTo(StreamITBase.sha256(java.util.Arrays.copyOfRange(want, 1_000_000, want.length)));
  }

  @Test
  void anOutputNoLongerHeldWholeIsGone() throws Exception {
    // 6 MB: more than the record keeps of a stream (outputRetention.maxStreamBytes, 4 MiB)
    String id = submit(gateway.victimKey, "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 6000000", 8 << 20);
    JsonObject record = await(gateway.victimKey, id);
    assertThat(record.getLong("stdoutOmittedBytes", 0L)).as(record.copy().put("stdout", "…").encode()).isPositive();
    HttpResponse<byte[]> r = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout");
    assertThat(r.statusCode()).isEqualTo(410);
    assertThat(new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonObject("error").getString("code"))
      .isEqualTo("replay_unavailable");
    // stderr, empty and whole, is still there
    assertThat(raw(gateway.victimKey, "/v1/executions/" + id + "/stderr").statusCode()).isEqualTo(200);
  }

  @Test
  void aStreamPastItsCapEndsAfterItsKeptBytes() throws Exception {
    String id = submit(gateway.victimKey, "yes 0123456789 | head -c 300000", 100_000);
    JsonObject record = await(gateway.victimKey, id);
    assertThat(record.getString("status")).isEqualTo("output_limit");
    assertThat(record.getBoolean("stdoutTruncated")).isTrue();
    HttpResponse<byte[]> r = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-execgate-truncated")).hasValue("true");
    assertThat(r.body()).isEqualTo(record.getString("stdout").getBytes(StandardCharsets.UTF_8));
    assertThat(r.body().length).isBetween(1, 100_000);
    assertThat(raw(gateway.victimKey, "/v1/executions/" + id + "/stderr").headers().firstValue("x-execgate-truncated"))
      .hasValue("false");
  }

  @Test
  void anotherKeysIdAndBadOffsetsAreRefused() throws Exception {
    String id = submit(gateway.victimKey, "echo mine", 1 << 20);
    await(gateway.victimKey, id);
    HttpResponse<String> record = gateway.get("/v1/executions/" + id, gateway.attackerKey);
    assertThat(record.statusCode()).isEqualTo(404);
    for (String stream : List.of("stdout", "stderr")) {
      HttpResponse<byte[]> r = raw(gateway.attackerKey, "/v1/executions/" + id + "/" + stream);
      assertThat(r.statusCode()).isEqualTo(404);
      // exactly as today's answer for the record: nothing tells that the id exists
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(record.body());
    }
    assertThat(raw(gateway.attackerKey, "/v1/executions/" + java.util.UUID.randomUUID() + "/stdout").statusCode())
      .isEqualTo(404);
    for (String offset : List.of("-1", "abc", "99999999999999999999", "1e3", "%00")) {
      HttpResponse<byte[]> r = raw(gateway.victimKey, "/v1/executions/" + id + "/stdout?offset=" + offset);
      assertThat(r.statusCode()).as(offset).isEqualTo(400);
      JsonObject error = new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("invalid_request");
      assertThat(error.getString("field")).as(offset).isEqualTo("offset");
    }
    assertThat(new String(raw(gateway.victimKey, "/v1/executions/" + id + "/stdout?offset=0").body(),
      StandardCharsets.UTF_8)).isEqualTo("mine\n");
  }

  @Test
  void aClientThatNeverReadsFiftyMegabytesCostsABoundedBufferAndIsCutOff() throws Exception {
    try (AttackedGateway.HealthProbe probe = gateway.probe()) {
      String id = submit(gateway.attackerKey, "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 52428800", 64 << 20);
      try (Socket socket = new Socket("127.0.0.1", gateway.port)) {
        socket.setReceiveBufferSize(4096);
        socket.getOutputStream().write(("GET /v1/executions/" + id + "/stdout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + gateway.attackerKey + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // never read while the program writes its 50 MB
        JsonObject record = await(gateway.attackerKey, id);
        assertThat(record.getString("status")).isEqualTo("succeeded");
        gateway.victimEchoWithin(5_000);
        // now read: the gateway kept no 50 MB for us; it cut the response off without its last chunk
        socket.setSoTimeout(30_000);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[65536];
        try {
          for (int n; (n = in.read(buf)) > 0; ) {
            got.write(buf, 0, n);
          }
        } catch (IOException reset) {
          // a reset is how the cut shows
        }
        String text = got.toString(StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("HTTP/1.1 200");
        assertThat(got.size()).as("bytes received").isLessThan(40 << 20);
        assertThat(text).doesNotEndWith("\r\n0\r\n\r\n");
      }
      probe.assertAllWithin(500);
    }
  }

  @Test
  void opensBeyondTheKeysStreamsAreRefused() throws Exception {
    String id = submit(gateway.attackerKey, "sleep 5; echo done", 1 << 20);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_STREAMS; i++) {
        Socket s = new Socket("127.0.0.1", gateway.port);
        s.getOutputStream().write(("GET /v1/executions/" + id + "/stdout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + gateway.attackerKey + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        held.add(s);
      }
      // the held requests are in (a running execution's stream has no head before its first byte)
      long until = System.currentTimeMillis() + 10_000;
      while (openStreams() < MAX_STREAMS && System.currentTimeMillis() < until) {
        Thread.sleep(100);
      }
      assertThat(openStreams()).isEqualTo(MAX_STREAMS);
      HttpResponse<byte[]> r = raw(gateway.attackerKey, "/v1/executions/" + id + "/stdout");
      List<String> heads = new ArrayList<>();
      for (Socket s : held) {
        s.setSoTimeout(200);
        byte[] b = new byte[300];
        int n = 0;
        try {
          n = s.getInputStream().read(b);
        } catch (IOException e) {
          heads.add(e.toString());
        }
        heads.add(n > 0 ? new String(b, 0, n, StandardCharsets.ISO_8859_1) : "nothing");
      }
      assertThat(r.statusCode()).as("held: %s; got: %s", heads, new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo(429);
      assertThat(r.headers().firstValue("retry-after")).isPresent();
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("too_many_streams");
      // another key is not concerned
      String mine = submit(gateway.victimKey, "echo ok", 1 << 20);
      assertThat(new String(raw(gateway.victimKey, "/v1/executions/" + mine + "/stdout").body(),
        StandardCharsets.UTF_8)).isEqualTo("ok\n");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    // the places come back when the clients leave
    long deadline = System.currentTimeMillis() + 5_000;
    int status;
    do {
      Thread.sleep(200);
      status = raw(gateway.attackerKey, "/v1/executions/" + id + "/stdout").statusCode();
    } while (status == 429 && System.currentTimeMillis() < deadline);
    assertThat(status).isEqualTo(200);
  }

  private int openStreams() throws Exception {
    String metrics = gateway.get("/metrics", gateway.adminKey).body();
    return metrics.lines().filter(l -> l.startsWith("execgate_streams_open ")).findFirst()
      .map(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).orElse(-1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
