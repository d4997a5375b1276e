package io.execgate.it;

import com.github.dockerjava.api.model.Container;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions on the real engine: the working directory persists across executions, files go in and
 * out byte-exact through the sandbox, a timeout or a cancel leaves the session usable, one execution
 * at a time, idle sessions expire and their container goes, keys cannot see each other's sessions,
 * paths and sizes are checked, and nothing is left behind.
 */
class SessionIT extends GatewayITBase {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  private static final String OPS = ApiKey.generate();
  private static final int MAX_FILE = 256 * 1024;

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getAuth()
      .addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("bob", ApiKey.hash(BOB), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("ops", ApiKey.hash(OPS), List.of(), List.of(), 0, 0).withAdmin(true));
    options.getSessions().setMaxPerKey(3).setMaxFileBytes(MAX_FILE).setMaxSessionFileBytes(3 * MAX_FILE)
      .setCheckIntervalMs(200);
    return options;
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String key, Buffer body) {
    HttpRequest<Buffer> request = client.request(method, path).bearerTokenAuthentication(key);
    return await(body == null ? request.send() : request.sendBuffer(body));
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String key, JsonObject body) {
    return send(method, path, key, body == null ? null : body.toBuffer());
  }

  private String create(String key, JsonObject body) {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/sessions", key, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    JsonObject s = r.bodyAsJsonObject();
    assertThat(s.getString("status")).isEqualTo("ready");
    assertThat(s.getBoolean("stateful")).isFalse();
    assertThat(r.getHeader("location")).isEqualTo("/v1/sessions/" + s.getString("id"));
    return s.getString("id");
  }

  private JsonObject exec(String id, String key, JsonObject body) {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/sessions/" + id + "/executions?wait=true", key, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private JsonObject exec(String id, String script) {
    return exec(id, ALICE, new JsonObject().put("script", script));
  }

  private List<Container> sessionContainers(String id) {
    return docker.listContainersCmd().withShowAll(true)
      .withNameFilter(List.of("execgate-session-" + id)).exec();
  }

  private static String code(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  /**
   * Sends one message on a new {@code /v1/ws} socket of {@code key} and collects its frames until
   * the exit frame, or the first error frame.
   */
  private List<JsonObject> socketRun(String key, JsonObject run) throws Exception {
    WebSocketClient wsClient = vertx.createWebSocketClient();
    try {
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      WebSocket socket = await(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(gateway.actualPort()).setURI("/v1/ws").addHeader("authorization", "Bearer " + key)));
      socket.textMessageHandler(t -> frames.add(new JsonObject(t)));
      await(socket.writeTextMessage(run.put("type", "run").encode()));
      long deadline = System.currentTimeMillis() + 30_000;
      while (frames.stream().noneMatch(f -> "exit".equals(f.getString("type")) || "error".equals(f.getString("type")))) {
        assertThat(System.currentTimeMillis()).as("frames so far: %s", frames).isLessThan(deadline);
        Thread.sleep(20);
      }
      socket.close();
      return frames;
    } finally {
      wsClient.close();
    }
  }

  private static JsonObject frame(List<JsonObject> frames, String type) {
    return frames.stream().filter(f -> type.equals(f.getString("type"))).findFirst()
      .orElseThrow(() -> new AssertionError("no " + type + " frame in " + frames));
  }

  @Test
  void aWebSocketRunsInASessionAndIsRefusedAnotherKeysOrAnUnknownOne() throws Exception {
    String id = create(ALICE, new JsonObject().put("language", "sh"));
    JsonObject written = exec(id, "mkdir -p d; printf 'from-http' > d/f.txt");
    assertThat(written.getString("status")).as(written.encode()).isEqualTo("succeeded");

    // the socket's run sees what the HTTP execution wrote, and what it writes stays
    List<JsonObject> frames = socketRun(ALICE, new JsonObject().put("session", id)
      .put("script", "cat d/f.txt; echo; pwd; echo ws > w.txt"));
    String accepted = frame(frames, "accepted").getString("id");
    assertThat(frames.stream().filter(f -> "stdout".equals(f.getString("type"))).map(f -> f.getString("data"))
      .reduce("", String::concat)).isEqualTo("from-http\n/tmp/work\n");
    assertThat(frame(frames, "exit").getInteger("exitCode")).as(frames.toString()).isEqualTo(0);
    JsonObject record = send(HttpMethod.GET, "/v1/executions/" + accepted, ALICE, (Buffer) null).bodyAsJsonObject();
    assertThat(record.getString("stdout")).as(record.encode()).isEqualTo("from-http\n/tmp/work\n");
    JsonObject after = exec(id, ALICE, new JsonObject().put("script", "cat w.txt").put("queue", true));
    assertThat(after.getString("stdout")).isEqualTo("ws\n");

    // another key's session: the HTTP route's error, as an error frame; the session is untouched
    HttpResponse<Buffer> http = send(HttpMethod.POST, "/v1/sessions/" + id + "/executions", BOB,
      new JsonObject().put("script", "rm -rf *"));
    JsonObject bob = frame(socketRun(BOB, new JsonObject().put("session", id).put("script", "rm -rf *")), "error");
    assertThat(bob.getString("code")).isEqualTo(code(http)).isEqualTo("not_found");
    assertThat(exec(id, "cat d/f.txt").getString("stdout")).isEqualTo("from-http");
    // an unknown one, a malformed one, and what the session decides
    assertThat(frame(socketRun(ALICE, new JsonObject().put("session", "s000").put("script", "true")), "error")
      .getString("code")).isEqualTo("not_found");
    JsonObject notString = frame(socketRun(ALICE, new JsonObject().put("session", 42).put("script", "true")),
      "error");
    assertThat(notString.getString("code")).isEqualTo("invalid_request");
    assertThat(notString.getString("message")).contains("session");
    JsonObject language = frame(socketRun(ALICE, new JsonObject().put("session", id).put("language", "python")
      .put("script", "true")), "error");
    assertThat(language.getString("code")).isEqualTo("invalid_request");
    assertThat(language.getString("message")).contains("language");

    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, (Buffer) null).statusCode()).isEqualTo(204);
    assertThat(sessionContainers(id)).isEmpty();
    // an ended session over the socket: 410's reason, as an error frame
    assertThat(frame(socketRun(ALICE, new JsonObject().put("session", id).put("script", "true")), "error")
      .getString("code")).isEqualTo("session_ended");
  }

  @Test
  void filesPersistAcrossExecutionsAndAnotherKeySeesNothing() {
    String id = create(ALICE, new JsonObject().put("language", "sh"));
    assertThat(sessionContainers(id)).hasSize(1);
    JsonObject first = exec(id, "echo hello > a.txt; mkdir -p d; echo deep > d/b.txt; echo written");
    assertThat(first.getString("status")).as(first.encode()).isEqualTo("succeeded");
    assertThat(first.getString("stdout")).isEqualTo("written\n");
    JsonObject second = exec(id, "cat a.txt d/b.txt; pwd");
    assertThat(second.getString("stdout")).isEqualTo("hello\ndeep\n/tmp/work\n");
    // the execution is an ordinary one afterwards
    HttpResponse<Buffer> record = send(HttpMethod.GET, "/v1/executions/" + second.getString("id"), ALICE,
      (Buffer) null);
    assertThat(record.statusCode()).isEqualTo(200);
    assertThat(record.bodyAsJsonObject().getString("stdout")).isEqualTo("hello\ndeep\n/tmp/work\n");

    // another key: 404 everywhere, and its list is empty
    for (String path : List.of("/v1/sessions/" + id, "/v1/sessions/" + id + "/files", "/v1/sessions/" + id
      + "/files/a.txt")) {
      assertThat(send(HttpMethod.GET, path, BOB, (Buffer) null).statusCode()).as(path).isEqualTo(404);
    }
    assertThat(send(HttpMethod.POST, "/v1/sessions/" + id + "/executions", BOB,
      new JsonObject().put("script", "rm -rf *")).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/a.txt", BOB, Buffer.buffer("x")).statusCode())
      .isEqualTo(404);
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, BOB, (Buffer) null).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.GET, "/v1/sessions", BOB, (Buffer) null).bodyAsJsonObject().getJsonArray("sessions")
      .stream().map(o -> ((JsonObject) o).getString("id"))).doesNotContain(id);
    JsonArray mine = send(HttpMethod.GET, "/v1/sessions", ALICE, (Buffer) null).bodyAsJsonObject()
      .getJsonArray("sessions");
    assertThat(mine.stream().map(o -> ((JsonObject) o).getString("id"))).contains(id);
    // alice's file is intact
    assertThat(exec(id, "cat a.txt").getString("stdout")).isEqualTo("hello\n");

    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, (Buffer) null).statusCode()).isEqualTo(204);
    assertThat(sessionContainers(id)).isEmpty();
    HttpResponse<Buffer> gone = send(HttpMethod.GET, "/v1/sessions/" + id, ALICE, (Buffer) null);
    assertThat(gone.statusCode()).isEqualTo(410);
    assertThat(gone.bodyAsString()).contains("deleted");
  }

  @Test
  void testCasesAndOutFilesWorkInASession() {
    String id = create(OPS, new JsonObject().put("language", "sh"));
    assertThat(exec(id, OPS, new JsonObject().put("script", "echo 5 > base.txt")).getString("status"))
      .isEqualTo("succeeded");
    // each test is a fresh process in the session's sandbox, and sees its files
    JsonObject judged = exec(id, OPS, new JsonObject().put("script", "read n; echo $((n + $(cat base.txt)))")
      .put("tests", new JsonArray()
        .add(new JsonObject().put("stdin", "1\n").put("expectedStdout", "6"))
        .add(new JsonObject().put("stdin", "2\n").put("expectedStdout", "0"))));
    assertThat(judged.getString("verdict")).as(judged.encode()).isEqualTo("wrong_answer");
    assertThat(judged.getInteger("passed")).isEqualTo(1);
    assertThat(judged.getJsonArray("tests").getJsonObject(0).getString("verdict")).isEqualTo("accepted");
    assertThat(judged.getJsonArray("tests").getJsonObject(1).getString("stdout")).isEqualTo("7\n");
    // what a session's execution writes under out/ comes back in its result
    JsonObject out = exec(id, OPS, new JsonObject().put("script", "printf 'r' > out/r.txt; cat base.txt"));
    assertThat(out.getString("stdout")).as(out.encode()).isEqualTo("5\n");
    assertThat(out.getJsonArray("files").getJsonObject(0).getString("name")).isEqualTo("r.txt");
    assertThat(out.getJsonArray("files").getJsonObject(0).getString("content")).isEqualTo("cg==");
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, OPS, (Buffer) null).statusCode()).isEqualTo(204);
    assertThat(sessionContainers(id)).isEmpty();
  }

  @Test
  void binaryFilesGoInAndOutByteExact() {
    String id = create(ALICE, new JsonObject().put("language", "sh"));
    byte[] all = new byte[256 * 3];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    HttpResponse<Buffer> put = send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/in/all%20bytes.bin", ALICE,
      Buffer.buffer(all));
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(201);
    // read by a program, written by a program
    JsonObject run = exec(id, "wc -c < 'in/all bytes.bin'; cat 'in/all bytes.bin' 'in/all bytes.bin' > out.bin");
    assertThat(run.getString("stdout").strip()).isEqualTo("768");
    HttpResponse<Buffer> got = send(HttpMethod.GET, "/v1/sessions/" + id + "/files/out.bin", ALICE, (Buffer) null);
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    assertThat(got.getHeader("content-type")).isEqualTo("application/octet-stream");
    Buffer expected = Buffer.buffer(all).appendBytes(all);
    assertThat(got.body().getBytes()).isEqualTo(expected.getBytes());
    // the upload itself, byte-exact back
    assertThat(send(HttpMethod.GET, "/v1/sessions/" + id + "/files/in/all%20bytes.bin", ALICE, (Buffer) null).body()
      .getBytes()).isEqualTo(all);

    JsonArray files = send(HttpMethod.GET, "/v1/sessions/" + id + "/files", ALICE, (Buffer) null).bodyAsJsonObject()
      .getJsonArray("files");
    assertThat(files.stream().map(o -> ((JsonObject) o).getString("name") + ":" + ((JsonObject) o).getString("type")
      + ":" + ((JsonObject) o).getLong("size")))
      .contains("out.bin:file:1536", "in/all bytes.bin:file:768", "in:directory:" + files.stream()
        .map(o -> (JsonObject) o).filter(o -> o.getString("name").equals("in")).findFirst().orElseThrow()
        .getLong("size"));
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id + "/files/out.bin", ALICE, (Buffer) null).statusCode())
      .isEqualTo(204);
    assertThat(send(HttpMethod.GET, "/v1/sessions/" + id + "/files/out.bin", ALICE, (Buffer) null).statusCode())
      .isEqualTo(404);

    // paths: .., absolute, encoded, empty segments
    for (String path : List.of("../etc/passwd", "%2E%2E/x", "a/%2e%2e/%2e%2e/x", "%2Fetc%2Fpasswd", "a//b", "./a")) {
      HttpResponse<Buffer> r = send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/" + path, ALICE,
        Buffer.buffer("x"));
      assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isIn(400, 404);
      if (r.statusCode() == 400) {
        assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("path");
      }
    }
    // an encoded slash escapes the router's normalization: the gateway itself refuses the '..'
    HttpResponse<Buffer> dots = send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/a/..%2F..%2Fx", ALICE,
      Buffer.buffer("x"));
    assertThat(dots.statusCode()).as(dots.bodyAsString()).isEqualTo(400);
    assertThat(dots.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("path");
    assertThat(exec(id, "ls -a /tmp /tmp/work | grep -c '^x$' || true").getString("stdout").strip()).isEqualTo("0");
    // sizes: one file over the cap, then the session over its total
    assertThat(send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/big", ALICE, Buffer.buffer(new byte[MAX_FILE + 1]))
      .statusCode()).isEqualTo(413);
    for (int i = 0; i < 2; i++) {
      assertThat(send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/f" + i, ALICE, Buffer.buffer(new byte[MAX_FILE]))
        .statusCode()).isEqualTo(201);
    }
    HttpResponse<Buffer> over = send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/f2", ALICE,
      Buffer.buffer(new byte[MAX_FILE]));
    assertThat(over.statusCode()).as(over.bodyAsString()).isEqualTo(413);
    // still usable
    assertThat(exec(id, "ls f0 f1").getString("stdout")).isEqualTo("f0\nf1\n");
    // a full /tmp (filled outside the working directory): the upload fails clearly and writes nothing
    exec(id, "dd if=/dev/zero of=/tmp/fill bs=65536 2>/dev/null; df -k /tmp | tail -1");
    HttpResponse<Buffer> full = send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/late", ALICE,
      Buffer.buffer(new byte[100_000]));
    assertThat(full.statusCode()).as(full.bodyAsString()).isEqualTo(507);
    assertThat(code(full)).isEqualTo("session_storage_full");
    assertThat(exec(id, "rm /tmp/fill; ls late 2>&1 | grep -c 'No such' ").getString("stdout").strip())
      .isEqualTo("1");
    assertThat(send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/late", ALICE, Buffer.buffer(new byte[100_000]))
      .statusCode()).isEqualTo(201);
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, (Buffer) null).statusCode()).isEqualTo(204);
  }

  @Test
  void timeoutAndCancelKeepTheSessionAndOneExecutionRunsAtATime() throws Exception {
    String id = create(ALICE, new JsonObject().put("language", "sh"));
    exec(id, "echo kept > k");
    JsonObject timedOut = exec(id, ALICE, new JsonObject().put("script", "sleep 30 & sleep 30")
      .put("limits", new JsonObject().put("timeoutMs", 1000)));
    assertThat(timedOut.getString("status")).isEqualTo("timeout");
    assertThat(exec(id, "cat k").getString("stdout")).isEqualTo("kept\n");
    // what an execution left running is gone once it ended
    JsonObject left = exec(id, "sleep 60 & echo started");
    assertThat(left.getString("stdout")).isEqualTo("started\n");
    assertThat(exec(id, "ps -o comm | grep -c '^sleep' || true").getString("stdout").strip()).isIn("0", "1");

    HttpResponse<Buffer> accepted = send(HttpMethod.POST, "/v1/sessions/" + id + "/executions", ALICE,
      new JsonObject().put("script", "sleep 30"));
    assertThat(accepted.statusCode()).isEqualTo(202);
    String running = accepted.bodyAsJsonObject().getString("id");
    long deadline = System.currentTimeMillis() + 10_000;
    while (!send(HttpMethod.GET, "/v1/executions/" + running, ALICE, (Buffer) null).bodyAsJsonObject()
      .getString("status").equals("running") && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    HttpResponse<Buffer> busy = send(HttpMethod.POST, "/v1/sessions/" + id + "/executions", ALICE,
      new JsonObject().put("script", "echo no"));
    assertThat(busy.statusCode()).isEqualTo(409);
    assertThat(code(busy)).isEqualTo("session_busy");
    assertThat(send(HttpMethod.PUT, "/v1/sessions/" + id + "/files/x", ALICE, Buffer.buffer("x")).statusCode())
      .isEqualTo(409);
    assertThat(send(HttpMethod.DELETE, "/v1/executions/" + running, ALICE, (Buffer) null).statusCode())
      .isEqualTo(200);
    assertThat(exec(id, "cat k").getString("stdout")).isEqualTo("kept\n");

    // queued: waits for the one before
    HttpResponse<Buffer> first = send(HttpMethod.POST, "/v1/sessions/" + id + "/executions", ALICE,
      new JsonObject().put("script", "sleep 1; echo one > q"));
    assertThat(first.statusCode()).isEqualTo(202);
    JsonObject queued = exec(id, ALICE, new JsonObject().put("script", "cat q").put("queue", true));
    assertThat(queued.getString("stdout")).isEqualTo("one\n");
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, (Buffer) null).statusCode()).isEqualTo(204);
  }

  @Test
  void aSandboxKilledBetweenCallsEndsTheSessionWithItsReasonOnTheNextCall() throws Exception {
    // one session meets its dead sandbox with an execution, the other with a file call
    String byRun = create(OPS, new JsonObject().put("language", "sh"));
    String byFile = create(OPS, new JsonObject().put("language", "sh"));
    assertThat(exec(byRun, OPS, new JsonObject().put("script", "echo up")).getString("stdout")).isEqualTo("up\n");
    for (String id : List.of(byRun, byFile)) {
      List<Container> found = docker.listContainersCmd().withLabelFilter(java.util.Map.of(
        io.execgate.docker.ContainerLabels.EXECUTION, io.execgate.docker.SessionContainers.label(id),
        io.execgate.docker.ContainerLabels.INSTANCE, instanceId)).exec();
      assertThat(found).as("the running sandbox of %s", id).hasSize(1);
      docker.killContainerCmd(found.get(0).getId()).exec();
    }

    HttpResponse<Buffer> run = send(HttpMethod.POST, "/v1/sessions/" + byRun + "/executions?wait=true", OPS,
      new JsonObject().put("script", "echo never"));
    assertThat(run.statusCode()).as(run.bodyAsString()).isEqualTo(410);
    assertThat(code(run)).isEqualTo("session_ended");
    assertThat(run.bodyAsJsonObject().getJsonObject("error").getString("message")).endsWith("container_exited");
    HttpResponse<Buffer> put = send(HttpMethod.PUT, "/v1/sessions/" + byFile + "/files/a.txt", OPS,
      Buffer.buffer("a"));
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(410);
    assertThat(put.bodyAsJsonObject().getJsonObject("error").getString("message")).endsWith("container_exited");

    for (String id : List.of(byRun, byFile)) {
      HttpResponse<Buffer> get = send(HttpMethod.GET, "/v1/sessions/" + id, OPS, (Buffer) null);
      assertThat(get.statusCode()).isEqualTo(410);
      assertThat(get.bodyAsString()).contains("container_exited");
      long deadline = System.currentTimeMillis() + 10_000;
      while (!sessionContainers(id).isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(sessionContainers(id)).as("the dead sandbox of %s is removed", id).isEmpty();
    }
    JsonObject stats = send(HttpMethod.GET, "/v1/stats", OPS, (Buffer) null).bodyAsJsonObject()
      .getJsonObject("sessions");
    assertThat(stats.getLong("container_exited")).as(stats.encode()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void idleSessionsExpireAndTheirContainerGoes() throws Exception {
    String id = create(BOB, new JsonObject().put("language", "sh").put("idleTimeoutSeconds", 2));
    assertThat(sessionContainers(id)).hasSize(1);
    long deadline = System.currentTimeMillis() + 10_000;
    HttpResponse<Buffer> r;
    do {
      Thread.sleep(250);
      r = send(HttpMethod.GET, "/v1/sessions/" + id, BOB, (Buffer) null);
    } while (r.statusCode() == 200 && System.currentTimeMillis() < deadline);
    assertThat(r.statusCode()).isEqualTo(410);
    assertThat(r.bodyAsString()).contains("expired_idle");
    long gone = System.currentTimeMillis() + 10_000;
    while (!sessionContainers(id).isEmpty() && System.currentTimeMillis() < gone) {
      Thread.sleep(100);
    }
    assertThat(sessionContainers(id)).isEmpty();
    JsonObject stats = send(HttpMethod.GET, "/v1/stats", OPS, (Buffer) null).bodyAsJsonObject()
      .getJsonObject("sessions");
    assertThat(stats.getLong("expired_idle")).isGreaterThanOrEqualTo(1);
    assertThat(stats.getLong("created")).isGreaterThanOrEqualTo(1);
    assertThat(send(HttpMethod.GET, "/metrics", OPS, (Buffer) null).bodyAsString())
      .contains("execgate_sessions_open", "execgate_sessions_expired_total");
  }

  @Test
  void badRequestsAndThePerKeyCap() {
    HttpResponse<Buffer> stateful = send(HttpMethod.POST, "/v1/sessions", BOB,
      new JsonObject().put("language", "sh").put("stateful", true));
    assertThat(stateful.statusCode()).isEqualTo(400);
    assertThat(stateful.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("stateful");
    HttpResponse<Buffer> idle = send(HttpMethod.POST, "/v1/sessions", BOB,
      new JsonObject().put("language", "sh").put("idleTimeoutSeconds", 1_000_000));
    assertThat(idle.statusCode()).isEqualTo(422);
    assertThat(idle.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("idleTimeoutSeconds");
    assertThat(send(HttpMethod.GET, "/v1/sessions/nosuch", BOB, (Buffer) null).statusCode()).isEqualTo(404);

    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(create(BOB, new JsonObject().put("language", "sh")));
    }
    HttpResponse<Buffer> capped = send(HttpMethod.POST, "/v1/sessions", BOB, new JsonObject().put("language", "sh"));
    assertThat(capped.statusCode()).isEqualTo(429);
    assertThat(code(capped)).isEqualTo("session_limit");
    HttpResponse<Buffer> lang = send(HttpMethod.POST, "/v1/sessions/" + ids.get(0) + "/executions", BOB,
      new JsonObject().put("language", "python").put("script", "print(1)"));
    assertThat(lang.statusCode()).isEqualTo(400);
    assertThat(lang.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("language");
    for (String id : ids.subList(1, ids.size())) {
      assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, BOB, (Buffer) null).statusCode()).isEqualTo(204);
      assertThat(sessionContainers(id)).isEmpty();
    }
    // the first stays open: closing the gateway removes its container (checked after the class)
  }
}
