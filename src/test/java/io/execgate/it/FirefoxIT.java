package io.execgate.it;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web page in a real headless Firefox (Debian's firefox-esr), driven over WebDriver BiDi, the
 * browser's own remote protocol (Debian ships no geckodriver): Run, live output, stdin, status.
 */
class FirefoxIT extends GatewayITBase {

  private static final String FIREFOX = "/usr/bin/firefox-esr";

  private Process browser;
  private Path profile;
  private WebSocketClient wsClient;
  private WebSocket bidi;
  private String context;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

  @BeforeAll
  void startFirefox() throws Exception {
    if (!new File(FIREFOX).canExecute()) {
      String problem = "no " + FIREFOX + ": bin/setup --test installs firefox-esr";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(problem);
      }
      Assumptions.abort(problem);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    profile = Files.createTempDirectory("execgate-firefox-");
    // a quiet profile: no updates, telemetry or safe-browsing lookups on a closed network
    Files.writeString(profile.resolve("user.js"), String.join("\n",
      "user_pref(\"app.update.enabled\", false);",
      "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
      "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
      "user_pref(\"toolkit.telemetry.enabled\", false);",
      "user_pref(\"network.captive-portal-service.enabled\", false);",
      "user_pref(\"browser.safebrowsing.malware.enabled\", false);",
      "user_pref(\"browser.safebrowsing.phishing.enabled\", false);",
      "user_pref(\"extensions.update.enabled\", false);",
      "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");", ""));
    Path log = Path.of("target", "firefox.log");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(FIREFOX, "--headless", "--no-remote", "--profile", profile.toString(),
      "--remote-debugging-port", String.valueOf(port), "about:blank")
      .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("MOZ_HEADLESS", "1");
    browser = pb.start();
    // a screenshot comes back as one base64 message of a megabyte or so
    wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(16 << 20)
      .setMaxMessageSize(16 << 20));
    long deadline = System.currentTimeMillis() + 60_000;
    while (bidi == null) {
      try {
        // Firefox's remote agent refuses any Origin header: this client is no web page
        bidi = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/session")
          .setAllowOriginHeader(false)).await(5, TimeUnit.SECONDS);
      } catch (Exception notYet) {
        assertThat(System.currentTimeMillis()).as("Firefox's remote protocol did not come up").isLessThan(deadline);
        Thread.sleep(250);
      }
    }
    bidi.textMessageHandler(text -> {
      JsonObject msg = new JsonObject(text);
      CompletableFuture<JsonObject> reply = msg.getInteger("id") == null ? null : pending.remove(msg.getInteger("id"));
      if (reply != null) {
        reply.complete(msg);
      }
    });
    command("session.new", new JsonObject().put("capabilities", new JsonObject()));
    context = command("browsingContext.getTree", new JsonObject()).getJsonArray("contexts").getJsonObject(0)
      .getString("context");
  }

  @AfterAll
  void stopFirefox() throws Exception {
    try {
      if (bidi != null) {
        bidi.close();
      }
      if (wsClient != null) {
        wsClient.close();
      }
    } finally {
      if (browser != null) {
        browser.descendants().forEach(ProcessHandle::destroy);
        browser.destroy();
        if (!browser.waitFor(10, TimeUnit.SECONDS)) {
          browser.destroyForcibly();
        }
        browser.descendants().forEach(ProcessHandle::destroyForcibly);
      }
      if (profile != null) {
        try (var files = Files.walk(profile)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private JsonObject command(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    pending.put(id, reply);
    bidi.writeTextMessage(new JsonObject().put("id", id).put("method", method).put("params", params).encode());
    JsonObject msg = reply.get(60, TimeUnit.SECONDS);
    assertThat(msg.getString("type")).as("%s: %s", method, msg.encode()).isEqualTo("success");
    return msg.getJsonObject("result");
  }

  /**
   * Evaluates JavaScript in the page; returns its string result.
   */
  private String js(String expression) throws Exception {
    JsonObject result = command("script.evaluate", new JsonObject().put("expression", expression)
      .put("target", new JsonObject().put("context", context)).put("awaitPromise", true));
    assertThat(result.getString("type")).as("%s: %s", expression, result.encode()).isEqualTo("success");
    JsonObject value = result.getJsonObject("result");
    return "string".equals(value.getString("type")) ? value.getString("value") : null;
  }

  private JsonObject page() throws Exception {
    return new JsonObject(js("JSON.stringify(" + PageState.EXPRESSION + ")"));
  }

  private JsonObject awaitPage(Predicate<JsonObject> condition, long timeoutMs) throws Exception {
    return PageState.await(this::page, condition, timeoutMs);
  }

  @Test
  void thePageRunsAScriptWithLiveOutputAndStdinInFirefox() throws Exception {
    command("browsingContext.navigate", new JsonObject().put("context", context)
      .put("url", "http://127.0.0.1:" + gateway.actualPort() + "/").put("wait", "complete"));
    awaitPage(p -> p.getInteger("runtimes") > 0, 20_000);
    js(PageState.setScript("echo first\nsleep 2\necho second >&2\nread -r name\necho \"hi $name\"\n")
      + " document.getElementById('run').click(); 'ok'");

    JsonObject live = awaitPage(p -> p.getString("output").contains("first"), 30_000);
    assertThat(live.getString("status")).isEqualTo("running");
    assertThat(live.getString("output")).doesNotContain("second");

    awaitPage(p -> p.getString("stderr").contains("second"), 10_000);
    js("document.getElementById('stdin').value = 'firefox';"
      + " document.getElementById('stdin-form').requestSubmit(); 'ok'");
    JsonObject done = awaitPage(p -> !"running".equals(p.getString("status")), 10_000);
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getString("output")).contains("first\n").contains("hi firefox\n").contains("exit code 0");
    assertThat(done.getString("stderr")).isEqualTo("second\n");
    assertThat(done.getString("duration")).matches("\\d+ ms");
  }

  @Test
  void aProgramTypedIntoTheEditorRunsOnCtrlEnterWithAnsiColoursInFirefox() throws Exception {
    command("browsingContext.navigate", new JsonObject().put("context", context)
      .put("url", "http://127.0.0.1:" + gateway.actualPort() + "/").put("wait", "complete"));
    JsonObject sample = awaitPage(p -> p.getInteger("runtimes") > 0 && p.getInteger("highlighted") > 0, 20_000);
    assertThat(sample.getString("script")).contains("hello from");

    // typed key by key into the focused editor: Tab indents, Ctrl+Enter runs
    js(PageState.setScript("") + " document.querySelector('.CodeMirror').CodeMirror.focus(); 'ok'");
    keys(PageState.typing("if true; then\n\tprintf '\\033[31mred\\033[0m <b>plain</b>\\n'\nfi"));
    JsonObject typed = page();
    assertThat(typed.getString("script")).startsWith("if true; then\n    printf '\\033[31mred\\033[0m <b>plain</b>\\n'\n");
    keys(PageState.ctrlEnter());
    JsonObject done = awaitPage(p -> "succeeded".equals(p.getString("status")), 30_000);
    assertThat(done.getString("output")).contains("red <b>plain</b>\n").doesNotContain("\u001b");
    assertThat(done.getInteger("outputElements")).isZero();
    assertThat(done.getJsonArray("ansi").getJsonObject(0)).isEqualTo(new JsonObject()
      .put("classes", "stdout ansi-fg-31").put("text", "red").put("color", "rgb(205, 49, 49)"));

    String png = command("browsingContext.captureScreenshot", new JsonObject().put("context", context)).getString("data");
    PageState.saveScreenshot(png, "page-after-run-firefox.png");
  }

  private void keys(JsonArray keys) throws Exception {
    command("input.performActions", new JsonObject().put("context", context).put("actions", PageState.keyboard(keys)));
    command("input.releaseActions", new JsonObject().put("context", context));
  }
}
