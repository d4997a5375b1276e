package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.execgate.GatewayOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Piston's clients as they are: the most-used Node client ({@code piston-client} 1.0.2 from npm,
 * unchanged, run by {@code node} from {@code src/test/js}) sends its JSON as {@code text/plain}
 * and gets its programs run; a browser page elsewhere sending the same is refused; every failure
 * under {@code /api/v2} (a forged, huge or broken body, an unknown path or method, a package
 * request) has Piston's shape {@code {"message"}}; the public Piston API's paths serve the same.
 */
class PistonClientIT extends GatewayITBase {

  private static final Path CLIENT_DIR = NodeClients.DIR;
  private static final long MAX_BODY = 256 * 1024;
  private static final String NOT_JSON = "requests must be of type application/json";

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getHttp().setMaxRequestBytes(MAX_BODY);
    return options;
  }

  @BeforeAll
  void requireRuntimeImagesAndTheClient() throws Exception {
    DockerSupport.requireImages(DefaultRuntimes.PYTHON_IMAGE);
    NodeClients.install("piston-client");
  }

  /**
   * Runs {@code code} with the real client, which picks the version from {@code /api/v2/runtimes}
   * when {@code version} is empty.
   *
   * @return the client's answer: {@code {runtimes, result}}
   */
  private JsonObject runWithTheClient(String language, String version, String code, String stdin) throws Exception {
    NodeClients.Result node = NodeClients.run(90, "node", CLIENT_DIR.resolve("piston-client-run.mjs").toString(),
      "http://127.0.0.1:" + gateway.actualPort(), language, version, code, stdin);
    assertThat(node.exit()).as("node: %s", node.output()).isZero();
    String[] lines = node.output().strip().split("\n");
    return new JsonObject(lines[lines.length - 1]);
  }

  @Test
  void theNpmClientRunsAProgramUnchanged() throws Exception {
    JsonObject answer = runWithTheClient("python", "",
      "import sys\nprint(sys.argv[1:], input())\nprint('to stderr', file=sys.stderr)", "hello from stdin");
    assertThat(answer.getJsonArray("runtimes")).isEqualTo(get("/api/v2/runtimes").bodyAsJsonArray());
    JsonObject result = answer.getJsonObject("result");
    assertThat(result.getString("language")).isEqualTo("python");
    assertThat(result.getString("version")).isEqualTo("3.11.2");
    JsonObject run = result.getJsonObject("run");
    assertThat(run.getString("stdout")).isEqualTo("['a', 'b'] hello from stdin\n");
    assertThat(run.getString("stderr")).isEqualTo("to stderr\n");
    assertThat(run.getInteger("code")).isZero();
    assertThat(run.getValue("signal")).isNull();
    // a version range as the client passes it through, and a failing program's exit code
    JsonObject failed = runWithTheClient("py", "3.10 - 3.12", "raise SystemExit(3)", "")
      .getJsonObject("result");
    assertThat(failed.getString("version")).isEqualTo("3.11.2");
    assertThat(failed.getJsonObject("run").getInteger("code")).isEqualTo(3);
    assertThat(failed.getJsonObject("run").getString("status")).isEqualTo("RE");
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String contentType, String origin, Buffer body) {
    HttpRequest<Buffer> request = client.request(method, path);
    if (contentType != null) {
      request.putHeader("content-type", contentType);
    }
    if (origin != null) {
      request.putHeader("origin", origin);
    }
    return await(body == null ? request.send() : request.sendBuffer(body));
  }

  private static void assertPistonError(HttpResponse<Buffer> response, int status, String messageStart) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).isEqualTo("application/json");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactly("message");
    assertThat(body.getString("message")).startsWith(messageStart);
  }

  private static Buffer execute(String script) {
    return new JsonObject().put("language", "python").put("version", "*")
      .put("files", new JsonArray().add(new JsonObject().put("content", script))).toBuffer();
  }

  @Test
  void aPageElsewhereSendingTextPlainIsRefusedAndRunsNothing() throws InterruptedException {
    // the other tests' executions finish their removal after their answers: start from none running
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject before = get("/v1/stats").bodyAsJsonObject();
    while (before.getLong("running") + before.getLong("queued") > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      before = get("/v1/stats").bodyAsJsonObject();
    }
    assertThat(before.getLong("running") + before.getLong("queued")).as(before.encode()).isZero();
    // a cross-site "simple" request: no preflight, so CORS cannot stop it; the Origin does
    for (String origin : List.of("https://evil.example", "null", "http://127.0.0.1:1")) {
      for (String type : List.of("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded")) {
        assertPistonError(send(HttpMethod.POST, "/api/v2/execute", type, origin, execute("print(1)")), 415, NOT_JSON);
      }
    }
    assertPistonError(send(HttpMethod.POST, "/api/v2/piston/execute", "text/plain", "https://evil.example",
      execute("print(1)")), 415, NOT_JSON);
    assertPistonError(send(HttpMethod.POST, "/api/v2/packages", "text/plain", "https://evil.example",
      new JsonObject().put("language", "python").put("version", "*").toBuffer()), 415, NOT_JSON);
    assertPistonError(send(HttpMethod.DELETE, "/api/v2/packages", null, "https://evil.example",
      new JsonObject().put("language", "python").put("version", "*").toBuffer()), 415, NOT_JSON);
    // nothing ran, nothing waits
    JsonObject after = get("/v1/stats").bodyAsJsonObject();
    assertThat(after.getJsonObject("executions")).isEqualTo(before.getJsonObject("executions"));
    assertThat(after.getLong("running") + after.getLong("queued")).isZero();
    assertThat(after.getLong("rejected")).isEqualTo(before.getLong("rejected"));
    // the same origin with application/json is an ordinary request (a browser preflights it first)
    HttpResponse<Buffer> json = send(HttpMethod.POST, "/api/v2/execute", "application/json", "https://evil.example",
      execute("print(6 * 7)"));
    assertThat(json.statusCode()).as(json.bodyAsString()).isEqualTo(200);
    assertThat(json.bodyAsJsonObject().getJsonObject("run").getString("stdout")).isEqualTo("42\n");
    // and without Origin any content type is read as JSON
    for (String type : List.of("text/plain", "application/octet-stream", "application/x-www-form-urlencoded")) {
      HttpResponse<Buffer> plain = send(HttpMethod.POST, "/api/v2/execute", type, null, execute("print('plain')"));
      assertThat(plain.statusCode()).as(type + ": " + plain.bodyAsString()).isEqualTo(200);
      assertThat(plain.bodyAsJsonObject().getJsonObject("run").getString("stdout")).isEqualTo("plain\n");
    }
    HttpResponse<Buffer> none = send(HttpMethod.POST, "/api/v2/execute", null, null, execute("print('none')"));
    assertThat(none.statusCode()).as(none.bodyAsString()).isEqualTo(200);
  }

  @Test
  void hugeDeepAndBrokenBodiesGetPistonsErrors() {
    Buffer huge = Buffer.buffer(new byte[(int) MAX_BODY + 1]);
    for (String path : List.of("/api/v2/execute", "/api/v2/piston/execute")) {
      assertPistonError(send(HttpMethod.POST, path, "text/plain", null, huge), 413, "the request body is too large");
    }
    assertPistonError(send(HttpMethod.POST, "/api/v2/packages", "text/plain", null, Buffer.buffer(new byte[65 * 1024])),
      413, "the request body is too large");
    assertPistonError(send(HttpMethod.POST, "/api/v2/execute", "text/plain", null, Buffer.buffer("print(1)")), 400,
      "the request body is not valid JSON");
    assertPistonError(send(HttpMethod.POST, "/api/v2/execute", "text/plain", null, Buffer.buffer("[1,2]")), 400,
      "the request body must be a JSON object");
    assertPistonError(send(HttpMethod.POST, "/api/v2/execute", "text/plain", null, Buffer.buffer(new byte[]{'{', '"',
      (byte) 0xC3, '"'})), 400, "the request body is not valid UTF-8");
    assertPistonError(send(HttpMethod.POST, "/api/v2/execute", "text/plain", null, null), 400,
      "the request body is empty");
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertPistonError(send(HttpMethod.POST, "/api/v2/execute", "text/plain", null,
      Buffer.buffer("{\"language\":" + deep + "}")), 400, "the request body is");
    assertPistonError(send(HttpMethod.POST, "/api/v2/execute", "text/plain", null,
      Buffer.buffer("{\"language\":\"python\",\"language\":\"bash\"}")), 400, "the request body is not valid JSON");
    // the gateway still serves
    HttpResponse<Buffer> ok = send(HttpMethod.POST, "/api/v2/execute", "text/plain", null, execute("print('still')"));
    assertThat(ok.bodyAsJsonObject().getJsonObject("run").getString("stdout")).isEqualTo("still\n");
  }

  @Test
  void unknownPathsAndMethodsUnderApiV2HavePistonsShape() {
    assertPistonError(send(HttpMethod.GET, "/api/v2/nope", null, null, null), 404, "no such resource");
    assertPistonError(send(HttpMethod.GET, "/api/v2", null, null, null), 404, "no such resource");
    assertPistonError(send(HttpMethod.GET, "/api/v2/piston/connect/x", null, null, null), 404, "no such resource");
    assertPistonError(send(HttpMethod.PUT, "/api/v2/execute", "application/json", null, execute("print(1)")), 405,
      "method not allowed");
    assertPistonError(send(HttpMethod.GET, "/api/v2/execute", null, null, null), 405, "method not allowed");
    assertPistonError(send(HttpMethod.PATCH, "/api/v2/packages", null, null, null), 405, "method not allowed");
    // a path Vert.x cannot normalize (a malformed escape): still Piston's shape under /api/v2, the
    // gateway's elsewhere (TenancyIT, HttpFuzzIT)
    HttpResponse<Buffer> malformed = send(HttpMethod.GET, "/api/v2/%ZZ", null, null, null);
    assertThat(malformed.statusCode()).isBetween(400, 404);
    assertThat(malformed.bodyAsJsonObject().fieldNames()).containsExactly("message");
    // elsewhere, the gateway's own shape
    HttpResponse<Buffer> own = send(HttpMethod.GET, "/v1/nope", null, null, null);
    assertThat(own.statusCode()).isEqualTo(404);
    assertThat(own.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
    HttpResponse<Buffer> prefixLike = send(HttpMethod.GET, "/api/v2x", null, null, null);
    assertThat(prefixLike.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
  }

  @Test
  void thePublicApisPathsServeTheSame() {
    assertThat(get("/api/v2/piston/runtimes").bodyAsJsonArray()).isEqualTo(get("/api/v2/runtimes").bodyAsJsonArray());
    assertThat(get("/api/v2/piston/packages").bodyAsJsonArray()).isEqualTo(get("/api/v2/packages").bodyAsJsonArray());
    HttpResponse<Buffer> run = send(HttpMethod.POST, "/api/v2/piston/execute", "application/json", null,
      execute("print('public path')"));
    assertThat(run.statusCode()).as(run.bodyAsString()).isEqualTo(200);
    assertThat(run.bodyAsJsonObject().getJsonObject("run").getString("stdout")).isEqualTo("public path\n");
  }

  @Test
  void packagesAreTheConfiguredRuntimesAndStayAsTheyAre() {
    JsonArray packages = get("/api/v2/packages").bodyAsJsonArray();
    JsonArray runtimes = get("/api/v2/runtimes").bodyAsJsonArray();
    List<JsonObject> expected = new ArrayList<>();
    for (Object rt : runtimes) {
      JsonObject runtime = (JsonObject) rt;
      expected.add(new JsonObject().put("language", runtime.getString("language"))
        .put("language_version", runtime.getString("version")).put("installed", true));
    }
    assertThat(packages.getList()).hasSize(runtimes.size());
    assertThat(packages.stream().map(JsonObject.class::cast).toList()).containsExactlyElementsOf(expected);

    Buffer python = new JsonObject().put("language", "python").put("version", "3.x").toBuffer();
    assertPistonError(send(HttpMethod.POST, "/api/v2/packages", "application/json", null, python), 409,
      "python-3.11.2 is already installed");
    assertPistonError(send(HttpMethod.DELETE, "/api/v2/packages", "text/plain", null, python), 403,
      "python-3.11.2 cannot be uninstalled");
    assertPistonError(send(HttpMethod.DELETE, "/api/v2/piston/packages", "application/json", null, python), 403,
      "python-3.11.2 cannot be uninstalled");
    Buffer cobol = new JsonObject().put("language", "cobol").put("version", "3.0.0").toBuffer();
    assertPistonError(send(HttpMethod.POST, "/api/v2/packages", "application/json", null, cobol), 404,
      "Requested package cobol-3.0.0 does not exist");
    Buffer oldPython = new JsonObject().put("language", "python").put("version", "2.x").toBuffer();
    assertPistonError(send(HttpMethod.DELETE, "/api/v2/packages", "application/json", null, oldPython), 404,
      "Requested package python-2.x does not exist");
    assertPistonError(send(HttpMethod.POST, "/api/v2/packages", "application/json", null,
      new JsonObject().put("language", "python").toBuffer()), 400, "version is required as a string");
    assertPistonError(send(HttpMethod.POST, "/api/v2/packages", "application/json", null,
      new JsonObject().put("language", 7).put("version", "*").toBuffer()), 400, "language is required as a string");
    assertPistonError(send(HttpMethod.POST, "/api/v2/packages", "application/json", null, Buffer.buffer("{")), 400,
      "the request body is not valid JSON");
    // nothing changed
    assertThat(get("/api/v2/packages").bodyAsJsonArray()).isEqualTo(packages);
  }
}
