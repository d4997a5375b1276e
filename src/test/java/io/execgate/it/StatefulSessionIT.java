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
 * figures and the last expression's mime bundle coming back as display frames and outputs (within
 * their caps, whatever the cell makes), timeouts interrupting a cell (KeyboardInterrupt,
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
    return create(new JsonObject());
  }

  private String create(JsonObject limits) {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/sessions", ALICE, new JsonObject().put("language", "python")
      .put("stateful", true).put("limits", limits));
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

    // a matplotlib figure shown comes back as an image/png output (not a file), and is closed
    JsonObject plot = cell(id, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.show()");
    assertThat(plot.getString("status")).as(plot.encode()).isEqualTo("succeeded");
    JsonArray outputs = plot.getJsonArray("outputs");
    assertThat(outputs).as(plot.encode()).hasSize(1);
    JsonObject png = outputs.getJsonObject(0);
    assertThat(png.fieldNames()).containsExactlyInAnyOrder("mediaType", "data");
    assertThat(png.getString("mediaType")).isEqualTo("image/png");
    assertThat(Base64.getDecoder().decode(png.getString("data"))).startsWith(0x89, 'P', 'N', 'G');
    assertThat(plot.containsKey("outputsTruncated")).isFalse();
    assertThat(plot.getJsonArray("files", new JsonArray())).as("rich outputs are no longer out/ files").isEmpty();
    JsonObject after = cell(id, "print(len(plt.get_fignums()))");
    assertOk(after, "0\n");
    assertThat(after.containsKey("outputs")).as("the last cell's figure is not sent again").isFalse();
    // plt.show() in a loop (pyplot loaded): one figure each time, as a notebook shows them
    JsonObject loop = cell(id, "for i in range(3):\n  plt.plot([i, i + 1])\n  plt.show()\nprint(len(plt.get_fignums()))");
    assertOk(loop, "0\n");
    assertThat(loop.getJsonArray("outputs")).hasSize(3);

    // the last expression: its repr on stdout, and its mime bundle (text/html, then text/plain) as outputs
    JsonObject rich = cell(id, "class H:\n  def _repr_html_(self): return '<b>hi</b>'\n  def __repr__(self): return 'H()'\nH()");
    assertOk(rich, "H()\n");
    assertThat(rich.getJsonArray("outputs")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("mediaType", "text/html").put("data", "<b>hi</b>"))
      .add(new JsonObject().put("mediaType", "text/plain").put("data", "H()")));
    assertThat(rich.getJsonArray("files", new JsonArray())).isEmpty();
    // an SVG is text; the program's own out/ files stay files
    JsonObject svg = cell(id, "import os\nos.makedirs('out', exist_ok=True)\nopen('out/a.txt', 'w').write('a')\n"
      + "class S:\n  def _repr_svg_(self): return '<svg xmlns=\"http://www.w3.org/2000/svg\"/>'\nS()");
    assertThat(svg.getJsonArray("outputs").getJsonObject(0)).isEqualTo(new JsonObject().put("mediaType", "image/svg+xml")
      .put("data", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
    assertThat(svg.getJsonArray("outputs").getJsonObject(1).getString("mediaType")).isEqualTo("text/plain");
    assertThat(svg.getJsonArray("files")).hasSize(1);
    assertThat(svg.getJsonArray("files").getJsonObject(0).getString("name")).isEqualTo("a.txt");
    assertOk(cell(id, "os.remove('out/a.txt')"), "");
    // a plain last expression has no rich representation: no outputs
    JsonObject abc = cell(id, "'abc'");
    assertOk(abc, "'abc'\n");
    assertThat(abc.containsKey("outputs")).isFalse();
    assertThat(abc.containsKey("outputsTruncated")).isFalse();
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, null).statusCode()).isEqualTo(204);
  }

  @Test
  void richOutputsComeAsDisplayFramesBeforeTheExitFrameAndStayInTheRecord() throws Exception {
    String id = create();
    List<JsonObject> frames = socketCell(id, new JsonObject().put("script", "import matplotlib.pyplot as plt\n"
      + "plt.plot([1, 2])\nclass H:\n  def _repr_html_(self): return '<i>x</i>'\nH()"));
    frames = frames.stream().filter(f -> f.getLong("seq") >= 0).toList();
    List<String> types = frames.stream().map(f -> f.getString("type")).toList();
    assertThat(types.get(types.size() - 1)).as(types.toString()).isEqualTo("exit");
    List<JsonObject> displays = frames.stream().filter(f -> "display".equals(f.getString("type"))).toList();
    assertThat(displays).extracting(f -> f.getString("mediaType"))
      .containsExactly("text/html", "text/plain", "image/png");
    assertThat(displays.get(0).getString("data")).isEqualTo("<i>x</i>");
    assertThat(Base64.getDecoder().decode(displays.get(2).getString("data"))).startsWith(0x89, 'P', 'N', 'G');
    // in order, without gaps, all before exit; exit does not carry them again
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i).getLong("seq")).isEqualTo((long) i);
    }
    assertThat(types.indexOf("display")).isLessThan(types.indexOf("exit"));
    JsonObject exit = frames.get(frames.size() - 1);
    assertThat(exit.containsKey("outputs")).isFalse();
    assertThat(types.get(0)).isEqualTo("accepted");
    String execution = frames.get(0).getString("id");

    // the record has them: GET, and the frames replayed over SSE
    HttpResponse<Buffer> got = send(HttpMethod.GET, "/v1/executions/" + execution, ALICE, null);
    assertThat(got.statusCode()).isEqualTo(200);
    JsonArray outputs = got.bodyAsJsonObject().getJsonArray("outputs");
    assertThat(outputs).hasSize(3);
    assertThat(outputs.getJsonObject(2).getString("data")).isEqualTo(displays.get(2).getString("data"));
    HttpResponse<Buffer> events = await(client.get("/v1/executions/" + execution + "/events")
      .bearerTokenAuthentication(ALICE).timeout(15_000).send());
    assertThat(events.statusCode()).isEqualTo(200);
    List<JsonObject> replayed = events.bodyAsString().lines().filter(l -> l.startsWith("data: "))
      .map(l -> new JsonObject(l.substring(6))).toList();
    assertThat(replayed.stream().filter(f -> "display".equals(f.getString("type"))).map(f -> f.getString("data"))
      .toList()).containsExactlyElementsOf(displays.stream().map(f -> f.getString("data")).toList());
    // another key sees none of it
    assertThat(send(HttpMethod.GET, "/v1/executions/" + execution, BOB, null).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.DELETE, "/v1/sessions/" + id, ALICE, null).statusCode()).isEqualTo(204);
  }

  @Test
  void richOutputsStayWithinTheirCapsWhateverTheCellMakes() {
    // 10,000 open figures take about 250 MB and 13 s of the cell's own (measured in the python image)
    String id = create(new JsonObject().put("memoryMb", 768));
    // 10,000 figures: at most 100 come back, said so, in bounded time
    long t0 = System.nanoTime();
    JsonObject many = cell(id, new JsonObject().put("script", "import matplotlib.pyplot as plt\n"
      + "for i in range(10000):\n  plt.figure(figsize=(0.1, 0.1))\nprint(len(plt.get_fignums()))")
      .put("limits", new JsonObject().put("timeoutMs", 60_000)));
    long manyMs = (System.nanoTime() - t0) / 1_000_000;
    org.slf4j.LoggerFactory.getLogger(StatefulSessionIT.class).info("10,000 figures: {} in {} ms, {} outputs",
      many.getString("status"), manyMs, many.getJsonArray("outputs", new JsonArray()).size());
    assertThat(many.getString("status")).as(many.getString("stderr")).isEqualTo("succeeded");
    assertThat(many.getJsonArray("outputs")).hasSize(100);
    assertThat(many.getBoolean("outputsTruncated")).isTrue();
    assertThat(manyMs).isLessThan(75_000L);
    assertOk(cell(id, "print(len(plt.get_fignums()))"), "0\n");

    // one 50 MB PNG: left out whole (past outputFilesBytes), its text/plain stays, said so
    JsonObject huge = cell(id, "class Big:\n  def _repr_png_(self): return b'\\x89PNG' + bytes(50 << 20)\n"
      + "  def __repr__(self): return 'Big()'\nBig()");
    assertOk(huge, "Big()\n");
    assertThat(huge.getJsonArray("outputs")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("mediaType", "text/plain").put("data", "Big()")));
    assertThat(huge.getBoolean("outputsTruncated")).isTrue();

    // outputs share limits.outputFilesBytes: a lower cap leaves a figure out, 0 returns none
    JsonObject small = cell(id, new JsonObject().put("script", "plt.plot([1, 2])")
      .put("limits", new JsonObject().put("outputFilesBytes", 1000)));
    assertThat(small.containsKey("outputs")).isFalse();
    assertThat(small.getBoolean("outputsTruncated")).isTrue();
    JsonObject none = cell(id, new JsonObject().put("script", "plt.plot([1, 2])")
      .put("limits", new JsonObject().put("outputFilesBytes", 0)));
    assertThat(none.containsKey("outputs")).isFalse();
    assertThat(none.containsKey("outputsTruncated")).isFalse();

    // 5,000 forged files in the outputs' directory: only the kernel's shape is taken, at most 1000 files
    t0 = System.nanoTime();
    JsonObject forged = cell(id, "import os\nd = 'out/.execgate-display'\nos.makedirs(d, exist_ok=True)\n"
      + "for i in range(5000):\n  open('%s/%04d.txt' % (d, i % 10000), 'w').write('f')\n"
      + "open(d + '/x.js', 'w').write('alert(1)')");
    long forgedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(forged.getString("status")).isEqualTo("succeeded");
    assertThat(forged.getJsonArray("outputs").size()).isBetween(1, 1000);
    assertThat(forged.getJsonArray("outputs").stream().map(JsonObject.class::cast)
      .allMatch(o -> o.getString("mediaType").equals("text/plain") && o.getString("data").equals("f"))).isTrue();
    assertThat(forged.getBoolean("outputsTruncated")).isTrue();
    assertThat(forgedMs).isLessThan(30_000L);
    // the next cell starts clean, and the session is usable
    JsonObject next = cell(id, "print('ok')");
    assertOk(next, "ok\n");
    assertThat(next.containsKey("outputs")).isFalse();
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
