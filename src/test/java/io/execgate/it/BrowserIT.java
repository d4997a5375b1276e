package io.execgate.it;

import com.github.dockerjava.api.model.Container;
import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.SessionContainers;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web page in a real headless Chromium (Debian's chromium + chromium-driver), driven over the
 * WebDriver protocol: type a script, Run, see the output live, answer its stdin, see the final
 * status; and Cancel.
 */
class BrowserIT extends GatewayITBase {

  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  /** An older sh next to the default 1.35.0: its run command tells which of the two ran. */
  static final RuntimeSpec OLDER_SH = new RuntimeSpec("sh", List.of(), "1.0.0", null, "main.sh", null,
    "RUNTIME_VERSION=1.0.0 sh {file}", RuntimeSpec.DEFAULT_COMPILE_TIMEOUT_MS, false);

  private final HttpClient webdriver = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private Process driver;
  private Path profile;
  private String driverUrl;
  private String session;

  @Override
  protected GatewayOptions options() {
    return super.options().addRuntime(OLDER_SH);
  }

  @BeforeAll
  void startBrowser() throws Exception {
    if (!new File(CHROMEDRIVER).canExecute() || !new File(CHROMIUM).canExecute()) {
      String problem = "no " + CHROMEDRIVER + " or " + CHROMIUM + ": bin/setup --test installs chromium and chromium-driver";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(problem);
      }
      Assumptions.abort(problem);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Path.of("target", "chromedriver.log");
    Files.createDirectories(log.getParent());
    profile = Files.createTempDirectory("execgate-chromium-");
    driver = new ProcessBuilder(CHROMEDRIVER, "--port=" + port, "--allowed-ips=127.0.0.1")
      .redirectErrorStream(true)
      .redirectOutput(log.toFile())
      .start();
    driverUrl = "http://127.0.0.1:" + port;
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      try {
        if (call("GET", "/status", null).getJsonObject("value").getBoolean("ready")) {
          break;
        }
      } catch (IOException e) {
        // not listening yet
      }
      assertThat(System.currentTimeMillis()).as("chromedriver did not start").isLessThan(deadline);
      Thread.sleep(100);
    }
    JsonArray args = new JsonArray().add("--headless=new").add("--no-sandbox").add("--disable-gpu")
      .add("--disable-dev-shm-usage").add("--disable-background-networking").add("--disable-component-update")
      .add("--disable-sync").add("--no-first-run").add("--window-size=1200,800").add("--user-data-dir=" + profile);
    JsonObject caps = new JsonObject().put("capabilities", new JsonObject().put("alwaysMatch", new JsonObject()
      .put("browserName", "chrome")
      .put("goog:chromeOptions", new JsonObject().put("binary", CHROMIUM).put("args", args))));
    session = call("POST", "/session", caps).getJsonObject("value").getString("sessionId");
  }

  @AfterAll
  void stopBrowser() throws Exception {
    try {
      if (session != null) {
        call("DELETE", "/session/" + session, null);
      }
    } finally {
      if (driver != null) {
        // chromedriver and the browser processes it started, by pid
        driver.descendants().forEach(ProcessHandle::destroy);
        driver.destroy();
        if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          driver.destroyForcibly();
        }
        driver.descendants().forEach(ProcessHandle::destroyForcibly);
      }
      if (profile != null) {
        try (var files = Files.walk(profile)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private JsonObject call(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(driverUrl + path)).timeout(Duration.ofSeconds(60))
      .header("content-type", "application/json");
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
      : HttpRequest.BodyPublishers.ofString(body.encode()));
    HttpResponse<String> response = webdriver.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonObject json = new JsonObject(response.body());
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(200);
    return json;
  }

  private String element(String css) throws Exception {
    return call("POST", "/session/" + session + "/element", new JsonObject().put("using", "css selector")
      .put("value", css)).getJsonObject("value").getString(ELEMENT);
  }

  private void type(String css, String text) throws Exception {
    call("POST", "/session/" + session + "/element/" + element(css) + "/value", new JsonObject().put("text", text));
  }

  private void click(String css) throws Exception {
    call("POST", "/session/" + session + "/element/" + element(css) + "/click", new JsonObject());
  }

  /**
   * @return what the page shows ({@link PageState#EXPRESSION})
   */
  private JsonObject page() throws Exception {
    Object value = call("POST", "/session/" + session + "/execute/sync", new JsonObject()
      .put("script", "return " + PageState.EXPRESSION + ";")
      .put("args", new JsonArray())).getValue("value");
    return (JsonObject) value;
  }

  private Object js(String script) throws Exception {
    return call("POST", "/session/" + session + "/execute/sync", new JsonObject()
      .put("script", "return " + script + ";").put("args", new JsonArray())).getValue("value");
  }

  /** Runs {@code body} as an async function's body in the page; its returned value is the result. */
  private Object jsAsync(String body) throws Exception {
    return call("POST", "/session/" + session + "/execute/async", new JsonObject()
      .put("script", "const done = arguments[arguments.length - 1];"
        + " (async () => { " + body + " })().then(done, e => done('failed: ' + e));")
      .put("args", new JsonArray())).getValue("value");
  }

  private void keys(JsonArray keys) throws Exception {
    call("POST", "/session/" + session + "/actions", new JsonObject().put("actions", PageState.keyboard(keys)));
    call("DELETE", "/session/" + session + "/actions", null);
  }

  private void open(String url) throws Exception {
    call("POST", "/session/" + session + "/url", new JsonObject().put("url", url));
    awaitPage(p -> p.getInteger("runtimes") > 0 && !p.getString("script", "").isEmpty(), 10_000);
  }

  private String home() {
    return "http://127.0.0.1:" + gateway.actualPort() + "/";
  }

  private JsonObject awaitPage(Predicate<JsonObject> condition, long timeoutMs) throws Exception {
    return PageState.await(this::page, condition, timeoutMs);
  }

  @Test
  void aScriptTypedIntoThePageRunsWithLiveOutputStdinAndAFinalStatus() throws Exception {
    open(home());
    js(PageState.setScript("echo first\nsleep 2\necho second >&2\nread -r name\necho \"hi $name\"\n"));
    click("#run");

    // live: the first line is shown while the program still sleeps
    JsonObject live = awaitPage(p -> p.getString("output").contains("first"), 30_000);
    assertThat(live.getString("status")).isEqualTo("running");
    assertThat(live.getString("output")).doesNotContain("second");
    assertThat(live.getBoolean("running")).isTrue();

    // stderr is told apart, then the program waits for a line of stdin
    awaitPage(p -> p.getString("stderr").contains("second"), 10_000);
    type("#stdin", "browser\n");
    JsonObject done = awaitPage(p -> !"running".equals(p.getString("status")), 10_000);
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getString("output")).contains("first\n").contains("hi browser\n").contains("exit code 0");
    assertThat(done.getString("stderr")).isEqualTo("second\n");
    assertThat(done.getString("duration")).matches("\\d+ ms");
    assertThat(awaitPage(p -> !p.getBoolean("running"), 5_000).getBoolean("running")).isFalse();

    // the counters panel shows this gateway's numbers (GET v1/stats), the run just done included
    JsonObject stats = awaitPage(p -> p.getJsonObject("stats").getString("succeeded").matches("[1-9]\\d*"), 10_000)
      .getJsonObject("stats");
    for (String counter : new String[]{"running", "queued", "capacity", "failed", "other", "rejected", "pool"}) {
      assertThat(stats.getString(counter)).as(counter).matches("\\d+");
    }
    assertThat(stats.getString("capacity")).isEqualTo(String.valueOf(gateway.options().getExecutor().getMaxConcurrent()));

    // Cancel stops a running program
    js(PageState.setScript("echo waiting\nsleep 30\n"));
    click("#run");
    awaitPage(p -> p.getString("output").contains("waiting"), 30_000);
    click("#cancel");
    JsonObject cancelled = awaitPage(p -> "cancelled".equals(p.getString("status")), 10_000);
    assertThat(cancelled.getString("output")).contains("waiting");
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 5_000)).isEmpty();
  }

  @Test
  void thePageWorksUnderAnApplicationsMountPrefix() throws Exception {
    Router host = Router.router(vertx);
    host.route("/tools/exec/*").subRouter(gateway.router());
    HttpServer server = await(vertx.createHttpServer().requestHandler(host).listen(0, "127.0.0.1"));
    try {
      open("http://127.0.0.1:" + server.actualPort() + "/tools/exec/");
      js(PageState.setScript("echo mounted\n"));
      click("#run");
      JsonObject done = awaitPage(p -> "succeeded".equals(p.getString("status")), 30_000);
      assertThat(done.getString("output")).contains("mounted\n").contains("exit code 0");
      awaitPage(p -> p.getJsonObject("stats").getString("succeeded").matches("[1-9]\\d*"), 10_000);
    } finally {
      await(server.close());
    }
  }
  @Test
  void theApiDocumentationListsTheRoutesInSwaggerUiUnderAMountPrefixToo() throws Exception {
    Router host = Router.router(vertx);
    host.route("/tools/exec/*").subRouter(gateway.router());
    HttpServer server = await(vertx.createHttpServer().requestHandler(host).listen(0, "127.0.0.1"));
    try {
      for (String base : List.of("http://127.0.0.1:" + gateway.actualPort(),
        "http://127.0.0.1:" + server.actualPort() + "/tools/exec")) {
        // /docs redirects to /docs/, where Swagger UI (served from its WebJar) renders ../openapi.json
        call("POST", "/session/" + session + "/url", new JsonObject().put("url", base + "/docs"));
        JsonObject docs = PageState.await(this::docs, d -> d.getInteger("operations") > 20, 20_000);
        assertThat(docs.getString("url")).isEqualTo(base + "/docs/");
        assertThat(docs.getString("title")).startsWith("execgate");
        assertThat(docs.getJsonArray("paths").getList()).contains("/v1/executions", "/v1/executions/{id}",
          "/api/v2/execute", "/health");
      }
    } finally {
      await(server.close());
    }
  }

  @Test
  void aProgramTypedIntoTheEditorWithTabRunsOnCtrlEnter() throws Exception {
    open(home());
    // a sample program per runtime, highlighted; picking another runtime shows its sample
    JsonObject sample = awaitPage(p -> p.getInteger("highlighted") > 0, 5_000);
    assertThat(sample.getString("runtime")).isEqualTo("sh");
    assertThat(sample.getString("script")).contains("hello from");
    js(PageState.choose("python", null));
    assertThat(awaitPage(p -> p.getString("script").contains("import sys"), 5_000).getString("version"))
      .isEqualTo("3.11.2");
    js(PageState.choose("sh", null));
    awaitPage(p -> p.getString("script").contains("hello from"), 5_000);

    // typed key by key into the editor (a real click focuses it): Tab indents, Ctrl+Enter runs
    js(PageState.setScript(""));
    click(".CodeMirror");
    keys(PageState.typing("if true; then\n\techo \"typed $((6*7))\"\n"));
    keys(PageState.typing("fi"));
    JsonObject typed = page();
    assertThat(typed.getString("script")).isEqualTo("if true; then\n    echo \"typed $((6*7))\"\n    fi");
    assertThat(typed.getString("status")).isEqualTo("idle");
    keys(PageState.ctrlEnter());
    JsonObject done = awaitPage(p -> "succeeded".equals(p.getString("status")), 30_000);
    assertThat(done.getString("output")).contains("typed 42\n").contains("exit code 0");
    // the editor kept the program (Ctrl+Enter inserted no line)
    assertThat(done.getString("script")).isEqualTo(typed.getString("script"));
  }

  @Test
  void theVersionPickedIsTheOneThatRuns() throws Exception {
    open(home());
    JsonObject page = page();
    assertThat(page.getJsonArray("versions").getList()).containsExactly("1.35.0", "1.0.0");
    assertThat(page.getString("version")).as("the newest is preselected").isEqualTo("1.35.0");
    js(PageState.setScript("echo \"ran ${RUNTIME_VERSION:-1.35.0}\"\n"));

    js(PageState.choose("sh", "1.0.0"));
    click("#run");
    JsonObject older = awaitPage(p -> "succeeded".equals(p.getString("status")), 30_000);
    assertThat(older.getString("output")).contains("ran 1.0.0\n");
    awaitPage(p -> !p.getBoolean("running"), 5_000);

    js(PageState.choose("sh", "1.35.0"));
    click("#run");
    JsonObject newest = awaitPage(p -> "succeeded".equals(p.getString("status")), 30_000);
    assertThat(newest.getString("output")).contains("ran 1.35.0\n").doesNotContain("ran 1.0.0");
  }

  @Test
  void aShareLinkRestoresRuntimeVersionScriptAndStdinAndRuns() throws Exception {
    open(home());
    js(PageState.choose("sh", "1.0.0"));
    String script = "read -r who\necho \"shared <$who> on ${RUNTIME_VERSION} & 100% \\o/ #é\"\n";
    js(PageState.setScript(script));
    js("(() => { document.getElementById('input').value = 'from a link\\n'; return 'ok'; })()");
    click("#share");
    String link = awaitPage(p -> !p.getString("shareLink").isEmpty(), 5_000).getString("shareLink");
    assertThat(link).startsWith(home() + "#").doesNotContain("\n");

    // a fresh page: nothing of it is left but the link
    call("POST", "/session/" + session + "/url", new JsonObject().put("url", "about:blank"));
    open(link);
    JsonObject restored = awaitPage(p -> p.getString("script").equals(script), 5_000);
    assertThat(restored.getString("runtime")).isEqualTo("sh");
    assertThat(restored.getString("version")).isEqualTo("1.0.0");
    assertThat(restored.getString("input")).isEqualTo("from a link\n");
    click("#run");
    JsonObject done = awaitPage(p -> "succeeded".equals(p.getString("status")), 30_000);
    assertThat(done.getString("output")).contains("shared <from a link> on 1.0.0 & 100% \\o/ #é\n");
  }

  @Test
  void ansiColoursBecomeStyledSpansAndOutputIsNeverHtml() throws Exception {
    open(home());
    js(PageState.setScript("printf '\\033[31mred\\033[0m plain <b>bold?</b> <img src=x onerror=alert(1)>\\n'\n"
      + "printf '\\033[1;32mgreen \\033[38;5;21mblue\\033[0m\\n' >&2\n"));
    click("#run");
    JsonObject done = awaitPage(p -> "succeeded".equals(p.getString("status")), 30_000);
    assertThat(done.getString("output"))
      .contains("red plain <b>bold?</b> <img src=x onerror=alert(1)>\n")
      .contains("green blue\n")
      .doesNotContain("\u001b").doesNotContain("[31m").doesNotContain("[0m");
    assertThat(done.getInteger("outputElements")).as("elements other than spans in the output").isZero();
    JsonArray ansi = done.getJsonArray("ansi");
    assertThat(ansi.stream().map(JsonObject.class::cast).toList())
      .contains(new JsonObject().put("classes", "stdout ansi-fg-31").put("text", "red")
        .put("color", "rgb(205, 49, 49)"),
        new JsonObject().put("classes", "stderr ansi-fg-32 ansi-bold").put("text", "green ")
        .put("color", "rgb(13, 188, 121)"),
        new JsonObject().put("classes", "stderr ansi-bold").put("text", "blue")
        .put("color", "rgb(0, 0, 255)"));

    // the page after a run, kept as a test artifact
    String png = call("GET", "/session/" + session + "/screenshot", null).getString("value");
    PageState.saveScreenshot(png, "page-after-run.png");
  }

  /** What the files panel shows: one entry per file, with its link, image and text preview. */
  private static final String FILES = "Array.from(document.querySelectorAll('#files .out-file')).map(f => {"
    + " const a = f.querySelector('a'); const img = f.querySelector('img'); const pre = f.querySelector('pre');"
    + " return {label: a.textContent, download: a.download, href: a.href, mediaType: f.dataset.mediaType,"
    + " img: img ? {complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,"
    + "   displayed: img.getBoundingClientRect().width > 0, src: img.src} : null,"
    + " text: pre ? pre.textContent : null, elements: f.querySelectorAll('*').length}; })";

  @Test
  void theFilesARunWritesUnderOutAreShownImagesInlineEveryFileALinkNeverHtml() throws Exception {
    // a 3x2 PNG made here, so that its bytes are known
    java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
    image.setRGB(1, 1, 0xff0000);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image, "png", png);
    String pngBase64 = java.util.Base64.getEncoder().encodeToString(png.toByteArray());
    String hostileName = "<img src=x onerror=alert(1)>.txt";
    String hostileText = "<script>alert(2)</script><b>not bold</b>\n";
    String svg = "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(3)'><script>alert(4)</script></svg>";
    String script = "import base64, os\n"
      + "os.makedirs('out/sub', exist_ok=True)\n"
      + "open('out/sub/dot.png', 'wb').write(base64.b64decode('" + pngBase64 + "'))\n"
      + "open('out/notes.txt', 'w', encoding='utf-8').write('r\u00e9sum\u00e9, 3 lines\\nb\\nc\\n')\n"
      + "open('out/" + hostileName + "', 'w').write(" + PageState.quote(hostileText) + ")\n"
      + "open('out/evil.svg', 'w').write(" + PageState.quote(svg) + ")\n"
      + "print('wrote', len(os.listdir('out')))\n";

    open(home());
    // an alert would be a script of the program's running in the page
    js("(() => { window.alerts = []; window.alert = (m) => window.alerts.push(String(m)); return 'ok'; })()");
    js(PageState.choose("python", null));
    js(PageState.setScript(script));
    click("#run");
    JsonObject done = awaitPage(p -> "succeeded".equals(p.getString("status")), 60_000);
    assertThat(done.getString("output")).contains("wrote 4\n");
    JsonArray shown = (JsonArray) PageState.await(() -> new JsonObject().put("files", js(FILES)),
      p -> p.getJsonArray("files").size() == 4 && p.getJsonArray("files").stream().map(JsonObject.class::cast)
        .allMatch(f -> f.getJsonObject("img") == null || f.getJsonObject("img").getBoolean("complete")), 10_000)
      .getJsonArray("files");
    java.util.Map<String, JsonObject> files = new java.util.HashMap<>();
    shown.stream().map(JsonObject.class::cast).forEach(f -> files.put(f.getString("label"), f));
    assertThat(files).containsOnlyKeys("sub/dot.png", "notes.txt", hostileName, "evil.svg");

    // the PNG inline, decoded by the browser, from a Blob URL; its link saves it as dot.png, its exact bytes
    JsonObject dot = files.get("sub/dot.png");
    assertThat(dot.getString("mediaType")).isEqualTo("image/png");
    assertThat(dot.getString("download")).isEqualTo("dot.png");
    assertThat(dot.getString("href")).startsWith("blob:");
    assertThat(dot.getJsonObject("img").getInteger("width")).isEqualTo(3);
    assertThat(dot.getJsonObject("img").getInteger("height")).isEqualTo(2);
    assertThat(dot.getJsonObject("img").getBoolean("displayed")).isTrue();
    assertThat(dot.getJsonObject("img").getString("src")).isEqualTo(dot.getString("href"));
    assertThat(blobBase64(dot.getString("href"))).isEqualTo(pngBase64);

    // a text file: previewed as text, its link has its bytes (UTF-8)
    JsonObject notes = files.get("notes.txt");
    assertThat(notes.getJsonObject("img")).isNull();
    assertThat(notes.getString("text")).isEqualTo("r\u00e9sum\u00e9, 3 lines\nb\nc\n");
    assertThat(notes.getString("download")).isEqualTo("notes.txt");
    assertThat(java.util.Base64.getDecoder().decode(blobBase64(notes.getString("href"))))
      .isEqualTo("r\u00e9sum\u00e9, 3 lines\nb\nc\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    // a name and a content that are HTML stay text: no element made of them, nothing ran
    JsonObject hostile = files.get(hostileName);
    assertThat(hostile.getJsonObject("img")).isNull();
    assertThat(hostile.getString("text")).isEqualTo(hostileText);
    assertThat(hostile.getString("download")).doesNotContain("<", ">").endsWith(".txt");
    // figure: figcaption, a, pre
    assertThat(hostile.getInteger("elements")).isEqualTo(3);

    // an SVG is a link only, and its Blob is not an image the browser would render
    JsonObject evil = files.get("evil.svg");
    assertThat(evil.getString("mediaType")).isEqualTo("image/svg+xml");
    assertThat(evil.getJsonObject("img")).isNull();
    assertThat(evil.getString("text")).isNull();
    assertThat(evil.getInteger("elements")).isEqualTo(2);
    assertThat(js("outputFiles.blobs.get(" + PageState.quote(evil.getString("href")) + ").type"))
      .isEqualTo("application/octet-stream");
    assertThat(((Number) js("document.querySelectorAll('#files img').length")).intValue()).isEqualTo(1);
    assertThat(((Number) js("window.alerts.length")).intValue()).isZero();

    // the next run revokes this run's Blob URLs and clears the panel
    String oldUrl = dot.getString("href");
    js(PageState.setScript("print('no files')\n"));
    click("#run");
    awaitPage(p -> "succeeded".equals(p.getString("status")) && p.getString("output").contains("no files"), 60_000);
    assertThat(js("document.getElementById('files').hidden")).isEqualTo(true);
    assertThat(((Number) js("outputFiles.blobs.size")).intValue()).isZero();
    assertThat(jsAsync("return await new Promise(r => { const i = new Image(); i.onload = () => r('loaded');"
      + " i.onerror = () => r('revoked'); i.src = " + PageState.quote(oldUrl) + "; });")).isEqualTo("revoked");
  }

  @Test
  void thePythonSampleDrawsAPlotShownInline() throws Exception {
    open(home());
    js(PageState.choose("python", null));
    awaitPage(p -> p.getString("script").contains("out/plot.png"), 5_000);
    js("(() => { document.getElementById('input').value = 'plotter\\n'; return 'ok'; })()");
    click("#run");
    JsonObject done = awaitPage(p -> !List.of("idle", "connecting", "queued", "pulling", "starting", "running")
      .contains(p.getString("status")), 90_000);
    assertThat(done.getString("status")).as(done.getString("output")).isEqualTo("succeeded");
    assertThat(done.getString("output")).contains("hi, plotter\n");
    JsonObject plot = (JsonObject) PageState.await(() -> new JsonObject().put("files", js(FILES)),
      p -> p.getJsonArray("files").size() == 1
        && p.getJsonArray("files").getJsonObject(0).getJsonObject("img").getBoolean("complete"), 10_000)
      .getJsonArray("files").getJsonObject(0);
    assertThat(plot.getString("label")).isEqualTo("plot.png");
    assertThat(plot.getString("download")).isEqualTo("plot.png");
    assertThat(plot.getJsonObject("img").getInteger("width")).isEqualTo(480);
    assertThat(plot.getJsonObject("img").getInteger("height")).isEqualTo(240);
    assertThat(plot.getJsonObject("img").getBoolean("displayed")).isTrue();
    byte[] bytes = java.util.Base64.getDecoder().decode(blobBase64(plot.getString("href")));
    assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes)).getWidth()).isEqualTo(480);

    String png = call("GET", "/session/" + session + "/screenshot", null).getString("value");
    PageState.saveScreenshot(png, "page-with-a-plot.png");
  }

  /** What session mode shows: the session, the message, each cell's status, output and files, the file panel. */
  private static final String SESSION = "({session: document.getElementById('session-info').dataset.session,"
    + " info: document.getElementById('session-info').textContent,"
    + " message: document.getElementById('session-message').hidden ? ''"
    + "   : document.getElementById('session-message').textContent,"
    + " cells: Array.from(document.querySelectorAll('#cells .cell')).map(c => ({"
    + "   status: c.querySelector('.cell-status').textContent, output: c.querySelector('.cell-output').textContent,"
    + "   outputElements: Array.from(c.querySelectorAll('.cell-output *')).filter(e => e.tagName !== 'SPAN').length,"
    + "   images: Array.from(c.querySelectorAll('.cell-files img')).map(i => ({label: i.alt, width: i.naturalWidth,"
    + "     complete: i.complete})),"
    + "   displays: Array.from(c.querySelectorAll('.cell-displays .display-output')).map(e => ({tag: e.tagName,"
    + "     mediaType: e.dataset.mediaType, src: e.getAttribute('src') || '', width: e.naturalWidth || 0,"
    + "     complete: e.tagName !== 'IMG' || e.complete, sandbox: e.getAttribute('sandbox'),"
    + "     srcdoc: e.getAttribute('srcdoc'), text: e.tagName === 'PRE' ? e.textContent : ''}))})),"
    + " files: Object.fromEntries(Array.from(document.querySelectorAll('#file-list li')).map(li => ["
    + "   li.querySelector('.file-name').textContent, {size: li.querySelector('.file-size').textContent,"
    + "   elements: li.querySelectorAll('*').length}])),"
    + " injected: document.querySelectorAll('#session-view img:not(.cell-files img):not(.cell-displays img)').length"
    + "   + document.querySelectorAll('#session-view iframe:not(.cell-displays iframe[sandbox=\"\"])').length,"
    + " alerts: window.alerts ? window.alerts.length : -1})";

  private JsonObject sessionPage() throws Exception {
    return (JsonObject) js(SESSION);
  }

  private JsonObject awaitSession(Predicate<JsonObject> condition, long timeoutMs) throws Exception {
    return PageState.await(this::sessionPage, condition, timeoutMs);
  }

  private static String cellEditor(int index, String code) {
    return "document.querySelectorAll('#cells .cell')[" + index + "].querySelector('.CodeMirror').CodeMirror.setValue("
      + PageState.quote(code) + ")";
  }

  private List<Container> sessionContainers(String id) {
    return docker.listContainersCmd().withShowAll(true)
      .withLabelFilter(java.util.Map.of(ContainerLabels.EXECUTION, SessionContainers.label(id))).exec();
  }

  @Test
  void sessionModeRunsCellsInOneSessionWithPlotsInlineAndAFilePanel() throws Exception {
    open(home());
    js("(() => { window.alerts = []; window.alert = (m) => window.alerts.push(String(m)); return 'ok'; })()");
    js(PageState.choose("python", null));
    click("#session-toggle");
    assertThat(js("document.getElementById('one-shot').hidden")).isEqualTo(true);
    // this test runs the cells as programs of their own: not stateful
    assertThat(js("document.getElementById('session-stateful').checked")).isEqualTo(true);
    click("#session-stateful");
    click("#session-start");
    JsonObject started = awaitSession(p -> !p.getString("session", "").isEmpty(), 30_000);
    String id = started.getString("session");
    assertThat(started.getString("info")).contains(id).contains("python").contains("expires");
    assertThat(sessionContainers(id)).hasSize(1);

    // cell 1 writes a file after a second; cell 2, run while cell 1 still runs, waits for it and reads the file
    js(cellEditor(0, "import time\ntime.sleep(1)\nopen('x.txt', 'w').write('x = 41')\nprint('written')\n"));
    click("#add-cell");
    js(cellEditor(1, "print('read:', open('x.txt').read())\n"));
    click("#cells .cell:nth-child(1) .cell-run");
    click("#cells .cell:nth-child(2) .cell-run");
    JsonObject ran = awaitSession(p -> p.getJsonArray("cells").size() == 2
      && !List.of("idle", "waiting", "connecting", "queued", "starting", "running")
        .contains(p.getJsonArray("cells").getJsonObject(1).getString("status")), 60_000);
    JsonObject first = ran.getJsonArray("cells").getJsonObject(0);
    JsonObject second = ran.getJsonArray("cells").getJsonObject(1);
    assertThat(first.getString("status")).as(first.encode()).isEqualTo("succeeded");
    assertThat(first.getString("output")).contains("written\n");
    assertThat(second.getString("status")).as(second.encode()).isEqualTo("succeeded");
    assertThat(second.getString("output")).contains("read: x = 41\n");

    // a plot saved to out/ is shown inline under its cell; Ctrl+Enter in the cell runs it
    click("#add-cell");
    js(cellEditor(2, "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nimport os\n"
      + "os.makedirs('out', exist_ok=True)\nfig, ax = plt.subplots(figsize=(4, 2))\nax.plot([1, 3, 2])\n"
      + "fig.savefig('out/plot.png', dpi=50)\nprint('plotted')\n"));
    click("#cells .cell:nth-child(3) .CodeMirror");
    keys(PageState.ctrlEnter());
    JsonObject plotted = awaitSession(p -> p.getJsonArray("cells").size() == 3 && p.getJsonArray("cells")
      .getJsonObject(2).getJsonArray("images").stream().map(JsonObject.class::cast)
      .anyMatch(i -> i.getBoolean("complete") && i.getInteger("width") > 0), 60_000);
    JsonObject plotCell = plotted.getJsonArray("cells").getJsonObject(2);
    assertThat(plotCell.getString("status")).isEqualTo("succeeded");
    assertThat(plotCell.getJsonArray("images").getJsonObject(0).getString("label")).isEqualTo("plot.png");
    assertThat(plotCell.getJsonArray("images").getJsonObject(0).getInteger("width")).isEqualTo(200);

    // the file panel lists the working directory, refreshed after the runs
    JsonObject listed = awaitSession(p -> p.getJsonObject("files").containsKey("out/plot.png"), 10_000);
    assertThat(listed.getJsonObject("files").getJsonObject("x.txt").getString("size")).isEqualTo("6 B");
    assertThat(listed.getJsonObject("files").getJsonObject("out/").getString("size")).isEqualTo("directory");

    // upload through the file input: a binary file, and one whose name is HTML
    byte[] data = new byte[3000];
    new java.util.Random(7).nextBytes(data);
    String hostile = "<img src=x onerror=alert(1)>.txt";
    Path dir = Files.createTempDirectory("execgate-upload-");
    try {
      Files.write(dir.resolve("data.bin"), data);
      Files.writeString(dir.resolve(hostile), "<b>not bold</b>\n");
      type("#upload", dir.resolve("data.bin").toAbsolutePath() + "\n" + dir.resolve(hostile).toAbsolutePath());
      JsonObject uploaded = awaitSession(p -> p.getJsonObject("files").containsKey("data.bin")
        && p.getJsonObject("files").containsKey(hostile), 20_000);
      assertThat(uploaded.getJsonObject("files").getJsonObject("data.bin").getString("size")).isEqualTo("2.9 KiB");
      assertThat(uploaded.getJsonObject("files").getJsonObject(hostile).getString("size")).isEqualTo("16 B");
      // li: name, size, Download, Delete; nothing made of the name, nothing ran
      assertThat(uploaded.getJsonObject("files").getJsonObject(hostile).getInteger("elements")).isEqualTo(4);
      assertThat(uploaded.getInteger("injected")).isZero();
      assertThat(uploaded.getInteger("alerts")).isZero();
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    PageState.saveScreenshot(call("GET", "/session/" + session + "/screenshot", null).getString("value"),
      "page-session-mode.png");
    // the server has the exact bytes, and the panel's download gives them back
    HttpResponse<byte[]> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(home()
      + "v1/sessions/" + id + "/files/data.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(raw.body()).isEqualTo(data);
    js("(() => { const li = Array.from(document.querySelectorAll('#file-list li'))"
      + ".find(l => l.querySelector('.file-name').textContent === 'data.bin');"
      + " li.querySelector('.file-download').click(); return 'ok'; })()");
    PageState.await(() -> new JsonObject().put("n", js("sessionMode.downloads.size")),
      p -> p.getInteger("n") == 1, 10_000);
    String downloaded = (String) jsAsync("const blob = sessionMode.downloads.get(sessionMode.lastDownload);"
      + " const bytes = new Uint8Array(await blob.arrayBuffer()); let s = '';"
      + " for (const b of bytes) { s += String.fromCharCode(b); } return btoa(s);");
    assertThat(java.util.Base64.getDecoder().decode(downloaded)).isEqualTo(data);

    // delete from the panel
    js("(() => { const li = Array.from(document.querySelectorAll('#file-list li'))"
      + ".find(l => l.querySelector('.file-name').textContent === 'data.bin');"
      + " li.querySelector('.file-delete').click(); return 'ok'; })()");
    awaitSession(p -> !p.getJsonObject("files").containsKey("data.bin") && p.getJsonObject("files").containsKey("x.txt"),
      10_000);

    // End session: the page says so, the sandbox is gone
    click("#session-end");
    JsonObject ended = awaitSession(p -> p.getString("message").contains("ended"), 10_000);
    assertThat(ended.getString("message")).contains(id).contains("Start a new session");
    assertThat(ended.getString("session")).isEmpty();
    assertThat(ended.getJsonObject("files")).isEmpty();
    assertThat(sessionContainers(id)).isEmpty();

    // a session that ends behind the page's back (deleted elsewhere): the next run says why
    click("#session-start");
    String second2 = awaitSession(p -> !p.getString("session", "").isEmpty(), 30_000).getString("session");
    HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(home()
      + "v1/sessions/" + second2)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(deleted.statusCode()).isEqualTo(204);
    click("#cells .cell:nth-child(2) .cell-run");
    JsonObject gone = awaitSession(p -> p.getString("session", "").isEmpty(), 10_000);
    assertThat(gone.getString("message")).contains("session_ended").contains("deleted").contains("Start a new session");
    assertThat(gone.getJsonArray("cells").getJsonObject(1).getString("output")).contains("session_ended");
    assertThat(gone.getInteger("alerts")).isZero();
    assertThat(js("document.getElementById('session-start').disabled")).isEqualTo(false);
    assertThat(sessionContainers(second2)).isEmpty();
  }

  @Test
  void aStatefulPythonSessionKeepsVariablesAndShowsAnOpenFigureInline() throws Exception {
    open(home());
    js("(() => { window.alerts = []; window.alert = (m) => window.alerts.push(String(m)); return 'ok'; })()");
    js(PageState.choose("sh", null));
    click("#session-toggle");
    // the choice exists for python only
    assertThat(js("document.getElementById('session-stateful-label').hidden")).isEqualTo(true);
    js(PageState.choose("python", null));
    assertThat(js("document.getElementById('session-stateful-label').hidden")).isEqualTo(false);
    assertThat(js("document.getElementById('session-stateful').checked")).isEqualTo(true);
    click("#session-start");
    JsonObject started = awaitSession(p -> !p.getString("session", "").isEmpty(), 30_000);
    String id = started.getString("session");
    assertThat(started.getString("info")).contains(id).contains("python").contains("stateful");
    assertThat(js("document.getElementById('session-stateful').disabled")).isEqualTo(true);
    HttpResponse<String> described = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(home()
      + "v1/sessions/" + id)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(described.body()).getBoolean("stateful")).isTrue();
    try {
      statefulCells(id);
    } finally {
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(home() + "v1/sessions/" + id)).DELETE()
        .build(), HttpResponse.BodyHandlers.discarding());
    }
    assertThat(sessionContainers(id)).isEmpty();
  }

  private void statefulCells(String id) throws Exception {
    // cell 2 sees cell 1's variable; its last expression prints as a REPL's Out
    js(cellEditor(0, "x = 41\n"));
    click("#add-cell");
    js(cellEditor(1, "x + 1\n"));
    click("#cells .cell:nth-child(1) .cell-run");
    click("#cells .cell:nth-child(2) .cell-run");
    JsonObject kept = awaitSession(p -> List.of("succeeded", "failed", "error", "timeout")
      .contains(p.getJsonArray("cells").getJsonObject(1).getString("status")), 60_000);
    JsonObject second = kept.getJsonArray("cells").getJsonObject(1);
    assertThat(kept.getJsonArray("cells").getJsonObject(0).getString("status")).isEqualTo("succeeded");
    assertThat(second.getString("status")).as(second.encode()).isEqualTo("succeeded");
    assertThat(second.getString("output")).startsWith("42\n");

    // a figure left open, never saved, and a last expression with HTML that would run script if injected:
    // display frames, shown under the cell: the HTML (then its text/plain repr) in a sandboxed iframe,
    // the figure as an <img>; nothing in out/
    click("#add-cell");
    js(cellEditor(2, "import matplotlib.pyplot as plt\nplt.plot([1,2],[3,4])\nclass H:\n"
      + "    def _repr_html_(self): return '<img src=x onerror=alert(1)><b>hi</b>'\n"
      + "    def __repr__(self): return 'H()'\nH()\n"));
    click("#cells .cell:nth-child(3) .CodeMirror");
    keys(PageState.ctrlEnter());
    JsonObject ran = awaitSession(p -> p.getJsonArray("cells").size() == 3
      && p.getJsonArray("cells").getJsonObject(2).getJsonArray("displays").stream().map(JsonObject.class::cast)
        .anyMatch(d -> "IMG".equals(d.getString("tag")) && d.getBoolean("complete") && d.getInteger("width") > 0),
      60_000);
    JsonObject plot = ran.getJsonArray("cells").getJsonObject(2);
    assertThat(plot.getString("status")).as(plot.encode()).isEqualTo("succeeded");
    JsonArray displays = plot.getJsonArray("displays");
    assertThat(displays).as(plot.encode()).hasSize(3);
    JsonObject html = displays.getJsonObject(0);
    assertThat(html.getString("tag")).isEqualTo("IFRAME");
    assertThat(html.getString("mediaType")).isEqualTo("text/html");
    assertThat(html.getString("sandbox")).isEmpty();
    assertThat(html.getString("srcdoc")).isEqualTo("<img src=x onerror=alert(1)><b>hi</b>");
    assertThat(displays.getJsonObject(1).getString("mediaType")).isEqualTo("text/plain");
    assertThat(displays.getJsonObject(1).getString("text")).isEqualTo("H()");
    JsonObject figure = displays.getJsonObject(2);
    assertThat(figure.getString("tag")).isEqualTo("IMG");
    assertThat(figure.getString("mediaType")).isEqualTo("image/png");
    assertThat(figure.getString("src")).startsWith("blob:");
    assertThat(figure.getInteger("width")).isEqualTo(640);
    assertThat(plot.getJsonArray("images")).as("rich outputs are not out/ files").isEmpty();
    assertThat(plot.getString("output")).contains("H()\n");
    // the sandboxed HTML ran nothing: no alert, nothing injected into the page
    Thread.sleep(300);
    JsonObject after = sessionPage();
    assertThat(after.getInteger("alerts")).isZero();
    assertThat(after.getInteger("injected")).isZero();
    assertThat(js("Array.from(document.querySelectorAll('#cells .cell-notice')).every(n => n.hidden)"))
      .isEqualTo(true);

    click("#session-end");
    awaitSession(p -> p.getString("message").contains("ended"), 10_000);
    assertThat(sessionContainers(id)).isEmpty();
  }

  /** @return the bytes of the Blob behind a link of the files panel, base64 */
  private String blobBase64(String url) throws Exception {
    Object value = jsAsync("const blob = outputFiles.blobs.get(" + PageState.quote(url) + ");"
      + " const bytes = new Uint8Array(await blob.arrayBuffer()); let s = '';"
      + " for (const b of bytes) { s += String.fromCharCode(b); } return btoa(s);");
    return (String) value;
  }

  @Test
  void wrongKeysEnteredAgainAndAgainLeaveOneStatsPoller() throws Exception {
    String admin = "admin-" + java.util.UUID.randomUUID() + java.util.UUID.randomUUID();
    GatewayOptions keyed = super.options().setInstanceId(instanceId + "-keyed");
    keyed.getExecutor().getPool().setRuntimes(List.of(GatewayOptions.DEFAULT_RUNTIME)).setSize(0);
    keyed.getAuth().addKey(new ApiKey("admin", ApiKey.hash(admin), List.of(), List.of(), 0, 0).withAdmin(true));
    Vertx keyedVertx = Vertx.vertx();
    try {
      ExecutionGateway other = await(ExecutionGateway.deploy(keyedVertx, keyed));
      // the requests to its v1/stats, counted in front of it
      AtomicInteger statsRequests = new AtomicInteger();
      Router host = Router.router(keyedVertx);
      host.route().handler(ctx -> {
        if (ctx.request().path().endsWith("/v1/stats")) {
          statsRequests.incrementAndGet();
        }
        ctx.next();
      });
      host.route("/keyed/*").subRouter(other.router());
      HttpServer server = await(keyedVertx.createHttpServer().requestHandler(host).listen(0, "127.0.0.1"));
      call("POST", "/session/" + session + "/url", new JsonObject().put("url", "http://127.0.0.1:"
        + server.actualPort() + "/keyed/"));
      PageState.await(() -> new JsonObject().put("asks", js("!document.getElementById('key-label').hidden")),
        p -> p.getBoolean("asks"), 10_000);

      // three wrong keys, each entered while the previous one's requests may still be on their way
      for (int i = 0; i < 3; i++) {
        js("(() => { const k = document.getElementById('key'); k.value = 'wrong-" + i + "';"
          + " k.dispatchEvent(new Event('change')); return 'ok'; })()");
        Thread.sleep(i * 150L);
      }
      Thread.sleep(1_000);
      int afterWrong = statsRequests.get();
      Thread.sleep(4_500);
      assertThat(statsRequests.get() - afterWrong).as("stats requests with a refused key, in 4.5 s").isZero();

      // then the right key: one poller, every 2 s
      js("(() => { const k = document.getElementById('key'); k.value = " + PageState.quote(admin) + ";"
        + " k.dispatchEvent(new Event('change')); return 'ok'; })()");
      awaitPage(p -> p.getJsonObject("stats").getString("capacity").matches("\\d+"), 10_000);
      int start = statsRequests.get();
      Thread.sleep(7_000);
      assertThat(statsRequests.get() - start).as("stats requests in 7 s, polled every 2 s").isBetween(3, 4);
      await(server.close());
    } finally {
      await(keyedVertx.close());
      assertThat(DockerSupport.awaitNoContainers(docker, instanceId + "-keyed", 10_000)).isEmpty();
    }
  }

  /**
   * @return what Swagger UI shows: the document's title, its operations and their paths
   */
  private JsonObject docs() throws Exception {
    Object value = call("POST", "/session/" + session + "/execute/sync", new JsonObject()
      .put("script", "return {url: location.href,"
        + " title: (document.querySelector('.info .title') || {textContent: ''}).textContent.trim(),"
        + " operations: document.querySelectorAll('.opblock').length,"
        + " paths: Array.from(document.querySelectorAll('.opblock-summary-path')).map(e => e.dataset.path || e.textContent)};")
      .put("args", new JsonArray())).getValue("value");
    return (JsonObject) value;
  }
}
