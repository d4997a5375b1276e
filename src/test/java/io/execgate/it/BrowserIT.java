package io.execgate.it;

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

  private final HttpClient webdriver = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private Process driver;
  private Path profile;
  private String driverUrl;
  private String session;

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

  private JsonObject awaitPage(Predicate<JsonObject> condition, long timeoutMs) throws Exception {
    return PageState.await(this::page, condition, timeoutMs);
  }

  @Test
  void aScriptTypedIntoThePageRunsWithLiveOutputStdinAndAFinalStatus() throws Exception {
    call("POST", "/session/" + session + "/url", new JsonObject().put("url", "http://127.0.0.1:"
      + gateway.actualPort() + "/"));
    awaitPage(p -> p.getInteger("runtimes") > 0, 10_000);
    call("POST", "/session/" + session + "/element/" + element("#script") + "/clear", new JsonObject());
    type("#script", "echo first\nsleep 2\necho second >&2\nread -r name\necho \"hi $name\"\n");
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
    call("POST", "/session/" + session + "/element/" + element("#script") + "/clear", new JsonObject());
    type("#script", "echo waiting\nsleep 30\n");
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
      call("POST", "/session/" + session + "/url", new JsonObject().put("url", "http://127.0.0.1:"
        + server.actualPort() + "/tools/exec/"));
      awaitPage(p -> p.getInteger("runtimes") > 0, 10_000);
      call("POST", "/session/" + session + "/element/" + element("#script") + "/clear", new JsonObject());
      type("#script", "echo mounted\n");
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
