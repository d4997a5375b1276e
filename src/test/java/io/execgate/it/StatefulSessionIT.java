package io.execgate.it;

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

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stateful Python sessions on the real engine: one interpreter kept across cells (variables,
 * imports), a raising cell failing with its traceback while the interpreter survives, matplotlib
 * figures and the last expression coming back, timeouts interrupting a cell (KeyboardInterrupt,
 * else a restart with a status frame), a dead interpreter replaced, the restart route, and the
 * attacker's cases (huge cell, forked sleeper, another key, other language, 10 MB of output).
 */
class StatefulSessionIT extends GatewayITBase {

  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getAuth()
      .addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("bob", ApiKey.hash(BOB), List.of(), List.of(), 0, 0));
    return options;
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String key, JsonObject body) {
    HttpRequest<Buffer> request = client.request(method, path).bearerTokenAuthentication(key);
    return await(body == null ? request.send() : request.sendBuffer(body.toBuffer()));
  }

  private String create() {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/sessions", ALICE, new JsonObject().put("language", "python")
      .put("stateful", true));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getBoolean("stateful")).isTrue();
    String id = r.bodyAsJsonObject().getString("id");
    assertThat(send(HttpMethod.GET, "/v1/sessions/" + id, ALICE, null).bodyAsJsonObject().getBoolean("stateful"))
      .isTrue();
    return id;
  }

  private JsonObject cell(String id, String script) {
    return cell(id, new JsonObject().put("script", script));
  }

  private JsonObject cell(String id, JsonObject body) {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/sessions/" + id + "/executions?wait=true", ALICE, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static void assertOk(JsonObject r, String stdout) {
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo(stdout);
  }

  /** Runs a cell over {@code /v1/ws} and collects its frames until the exit frame. */
  private List<JsonObject> socketCell(String id, JsonObject run) throws Exception {
    WebSocketClient wsClient = vertx.createWebSocketClient();
    try {
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      WebSocket socket = await(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(gateway.actualPort()).setURI("/v1/ws").addHeader("authorization", "Bearer " + ALICE)));
      socket.textMessageHandler(t -> frames.add(new JsonObject(t)));
      await(socket.writeTextMessage(run.put("type", "run").put("session", id).encode()));
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

  @Test
  void cellsShareOneInterpreterAndItsRichResults() {
    String id = create();
    List<Long> latencies = new ArrayList<>();
    JsonObject first = cell(id, "x = 41\nimport math\nprint('set')");
    assertOk(first, "set\n");
    for (int i = 0; i < 10; i++) {
      long t0 = System.nanoTime();
      assertOk(cell(id, "x + 1"), "42\n");
      latencies.add((System.nanoTime() - t0) / 1_000_000);
    }
    Collections.sort(latencies);
    org.slf4j.LoggerFactory.getLogger(StatefulSessionIT.class).info("stateful cell latency ms: p50={} max={}", latencies.get(5),
      latencies.get(9));
    assertOk(cell(id, "print(round(math.pi, 2))"), "3.14\n");
    assertOk(cell(id, "None"), "");

    // a raising cell: failed, traceback on stderr, the interpreter survives
    JsonObject raised = cell(id, "y = 7\n1 / 0");
    assertThat(raised.getString("status")).isEqualTo("failed");
    assertThat(raised.getInteger("exitCode")).isEqualTo(1);
    assertThat(raised.getString("stderr")).contains("Traceback").contains("ZeroDivisionError").contains("1 / 0")
      .doesNotContain("kernel.py");
    assertOk(cell(id, "print(x, y)"), "41 7\n");

    // stdin reaches the cell
    assertOk(cell(id, new JsonObject().put("script", "print(input().upper())").put("stdin", "hello\n")), "HELLO\n");

    // a matplotlib figure left open comes back as a PNG, and is closed
    JsonObject plot = cell(id, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.show()");
    assertThat(plot.getString("status")).as(plot.encode()).isEqualTo("succeeded");
    JsonArray files = plot.getJsonArray("files");
    assertThat(files).as(plot.encode()).hasSize(1);
    JsonObject png = files.getJsonObject(0);
    assertThat(png.getString("name")).isEqualTo("figure-1.png");
    assertThat(png.getString("mediaType")).isEqualTo("image/png");
    byte[] bytes = Base64.getDecoder().decode(png.getString("content"));
    assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    JsonObject after = cell(id, "print(len(plt.get_fignums()))");
    assertOk(after, "0\n");
    assertThat(after.getJsonArray("files", new JsonArray())).as("the last cell's figure is not sent again").isEmpty();

    // the last expression: its repr, and its rich representation as a file
    JsonObject rich = cell(id, "class H:\n  def _repr_html_(self): return '<b>hi</b>'\n  def __repr__(self): return 'H()'\nH()");
    assertOk(rich, "H()\n");
    JsonObject html = rich.getJsonArray("files").getJsonObject(0);
    assertThat(html.getString("name")).isEqualTo("display-1.html");
    assertThat(new String(Base64.getDecoder().decode(html.getString("content")))).isEqualTo("<b>hi</b>");
    assertOk(cell(id, "'abc'"), "'abc'\n");
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, null).statusCode()).isEqualTo(204);
  }

  @Test
  void timeoutsInterruptTheCellOrRestartTheInterpreter() throws Exception {
    String id = create();
    assertOk(cell(id, "kept = 'yes'"), "");
    long t0 = System.nanoTime();
    JsonObject spin = cell(id, new JsonObject().put("script", "while True: pass").put("limits",
      new JsonObject().put("timeoutMs", 1000)));
    assertThat(spin.getString("status")).as(spin.encode()).isEqualTo("timeout");
    assertThat(spin.getString("stderr")).contains("KeyboardInterrupt");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(8_000);
    assertOk(cell(id, "print(kept)"), "yes\n");

    // a cell that ignores SIGINT: the interpreter is restarted, with a status frame saying so
    List<JsonObject> frames = socketCell(id, new JsonObject().put("script",
      "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass").put("limits",
      new JsonObject().put("timeoutMs", 1000)));
    assertThat(frames).as(frames.toString()).anyMatch(f -> "status".equals(f.getString("type"))
      && "interpreter_restarted".equals(f.getString("code")));
    JsonObject exit = frames.stream().filter(f -> "exit".equals(f.getString("type"))).findFirst().orElseThrow();
    assertThat(exit.encode()).contains("\"timeout\"");
    JsonObject fresh = cell(id, "print('kept' in globals())");
    assertOk(fresh, "False\n");

    // a cell that kills the interpreter: the result says so, the next cell has a fresh one
    assertOk(cell(id, "z = 1"), "");
    JsonObject died = cell(id, "import os\nos._exit(3)");
    assertThat(died.getString("status")).isEqualTo("failed");
    assertThat(died.getInteger("exitCode")).isEqualTo(3);
    assertThat(died.getString("stderr")).contains("interpreter exited with code 3");
    assertOk(cell(id, "print('z' in globals())"), "False\n");

    // the restart route, and another key's restart
    assertOk(cell(id, "w = 2"), "");
    assertThat(send(HttpMethod.POST, "/v1/sessions/" + id + "/restart", BOB, null).statusCode()).isEqualTo(404);
    assertOk(cell(id, "print(w)"), "2\n");
    assertThat(send(HttpMethod.POST, "/v1/sessions/" + id + "/restart", ALICE, null).statusCode()).isEqualTo(204);
    assertOk(cell(id, "print('w' in globals())"), "False\n");
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, null).statusCode()).isEqualTo(204);
  }

  @Test
  void attackersCannotBreakTheSession() {
    // stateful is for python only; restart of a stateless session is refused
    HttpResponse<Buffer> sh = send(HttpMethod.POST, "/v1/sessions", ALICE, new JsonObject().put("language", "sh")
      .put("stateful", true));
    assertThat(sh.statusCode()).isEqualTo(400);
    assertThat(sh.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("stateful");
    HttpResponse<Buffer> plain = send(HttpMethod.POST, "/v1/sessions", ALICE, new JsonObject().put("language", "sh"));
    String plainId = plain.bodyAsJsonObject().getString("id");
    assertThat(send(HttpMethod.POST, "/v1/sessions/" + plainId + "/restart", ALICE, null).statusCode()).isEqualTo(400);
    // the baseline for the cells' latency: an execution in a stateless session
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      long t0 = System.nanoTime();
      assertOk(cell(plainId, "echo hi"), "hi\n");
      latencies.add((System.nanoTime() - t0) / 1_000_000);
    }
    Collections.sort(latencies);
    org.slf4j.LoggerFactory.getLogger(StatefulSessionIT.class).info("stateless session echo hi latency ms: p50={}",
      latencies.get(5));
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + plainId, ALICE, null).statusCode()).isEqualTo(204);

    String id = create();
    assertOk(cell(id, "v = 1"), "");
    // a cell over the script cap
    String huge = "#" + "x".repeat(options().getHttp().getMaxScriptBytes() + 1);
    HttpResponse<Buffer> tooBig = send(HttpMethod.POST, "/v1/sessions/" + id + "/executions?wait=true", ALICE,
      new JsonObject().put("script", huge));
    assertThat(tooBig.statusCode()).as(tooBig.bodyAsString()).isIn(400, 413);

    // a cell that forks a sleeper: the cell ends, the sleeper dies, the interpreter stays
    JsonObject forked = cell(id, "import subprocess\np = subprocess.Popen(['sleep', '300'])\nprint(p.pid > 0)");
    assertOk(forked, "True\n");
    assertThat(forked.getLong("durationMs")).isLessThan(10_000L);
    assertOk(cell(id, "import subprocess\nprint(v, p.poll())"), "1 -9\n");

    // 10 MB of output: the output cap applies and the session stays usable
    JsonObject flood = cell(id, "import sys\nfor _ in range(10240): sys.stdout.write('y' * 1023 + '\\n')");
    assertThat(flood.getString("status")).as(flood.getString("status")).isEqualTo("output_limit");
    assertOk(cell(id, "print(v)"), "1\n");
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, null).statusCode()).isEqualTo(204);
  }
}
