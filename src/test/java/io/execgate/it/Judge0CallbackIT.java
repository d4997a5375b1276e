package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.config.WebhookOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Judge0's {@code callback_url} and {@code compiler_options} on the real engine: a local receiver gets
 * Judge0's PUT of the final submission (Base64, its default fields), signed; a host outside
 * {@code webhooks.allow} is Judge0's 422 naming {@code callback_url}, alone or in a batch; options reach
 * the C compiler as words ({@code -DVALUE=42} prints 42), never as shell code.
 */
class Judge0CallbackIT extends GatewayITBase {

  private static final String ALICE = ApiKey.generate();
  private static final String SECRET = "judge0-callback-secret-" + UUID.randomUUID();
  private static final long DELIVERED_WITHIN_MS = 60_000;
  private static final String C_VALUE = "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", VALUE); return 0; }\n";

  /** One request the receiver got. */
  private record Received(HttpMethod method, String path, MultiMap headers, Buffer body) {
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer receiver;
  private int port;

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @Override
  protected GatewayOptions options() {
    if (receiver == null) {
      receiver = await(vertx.createHttpServer().requestHandler(this::receive).listen(0, "127.0.0.1"));
      port = receiver.actualPort();
    }
    GatewayOptions options = super.options();
    options.getAuth().addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0));
    options.setWebhooks(new WebhookOptions().setSecret(SECRET).setAllow(List.of("127.0.0.1:" + port))
      .setMaxAttempts(3).setRetryDelayMs(200).setRetryMaxDelayMs(1_000).setTimeoutMs(2_000));
    return options;
  }

  @BeforeAll
  void requireRuntimeImages() {
    DockerSupport.requireImages(DefaultRuntimes.MULTI_LANGUAGE_IMAGE, DefaultRuntimes.PYTHON_IMAGE);
  }

  @AfterAll
  void closeReceiver() {
    if (receiver != null) {
      await(receiver.close());
    }
  }

  private void receive(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      received.add(new Received(request.method(), request.path(), request.headers(), body));
      request.response().setStatusCode(200).end();
    });
  }

  private String hook() {
    return "http://127.0.0.1:" + port + "/judge0/" + UUID.randomUUID();
  }

  private HttpResponse<Buffer> judge0Post(String path, Object body) {
    return await(client.post("/judge0" + path).putHeader("x-auth-token", ALICE)
      .putHeader("content-type", "application/json").sendBuffer(body instanceof JsonObject o ? o.toBuffer()
        : ((JsonArray) body).toBuffer()));
  }

  private Received awaitReceived(String url) throws InterruptedException {
    String path = url.substring(url.indexOf('/', "http://".length()));
    long deadline = System.currentTimeMillis() + DELIVERED_WITHIN_MS;
    while (System.currentTimeMillis() < deadline) {
      List<Received> at = received.stream().filter(r -> r.path().equals(path)).toList();
      if (!at.isEmpty()) {
        return at.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("nothing delivered to " + url);
  }

  private static String unb64(String text) {
    return new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8);
  }

  /**
   * What a Judge0 receiver that checks execgate's signature does: HMAC-SHA256 of "t.body", a recent t;
   * and never the caller's key in what it got.
   */
  private static void assertSigned(Received r) throws Exception {
    String header = r.headers().get("execgate-signature");
    assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
    long t = Long.parseLong(header.substring(2, header.indexOf(',')));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    assertThat(HexFormat.of().formatHex(mac.doFinal(r.body().getBytes())))
      .isEqualTo(header.substring(header.indexOf("v1=") + 3));
    assertThat(Math.abs(System.currentTimeMillis() / 1000 - t)).isLessThan(60);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    assertThat(r.headers().contains("x-auth-token")).isFalse();
    assertThat(r.headers().contains("authorization")).isFalse();
    assertThat(r.headers().entries().toString()).doesNotContain(ALICE);
  }

  @Test
  void aFinalSubmissionIsPutToItsCallbackAsJudge0SerializesIt() throws Exception {
    String url = hook();
    HttpResponse<Buffer> created = judge0Post("/submissions", new JsonObject().put("language_id", 50)
      .put("source_code", C_VALUE).put("compiler_options", "-DVALUE=42").put("expected_output", "42")
      .put("callback_url", url));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String token = created.bodyAsJsonObject().getString("token");
    Received r = awaitReceived(url);
    assertThat(r.method()).isEqualTo(HttpMethod.PUT);
    assertSigned(r);
    JsonObject body = r.body().toJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("token", "time", "memory", "stdout", "stderr",
      "compile_output", "message", "status");
    assertThat(body.getString("token")).isEqualTo(token);
    assertThat(body.getJsonObject("status")).isEqualTo(new JsonObject().put("id", 3).put("description", "Accepted"));
    assertThat(unb64(body.getString("stdout"))).isEqualTo("42\n");
    assertThat(body.getString("time")).matches("\\d+\\.\\d{3}");
    // delivered once (the receiver answered 200), and what the API answers is the same submission
    Thread.sleep(300);
    assertThat(received.stream().filter(x -> x.path().equals(r.path())).count()).isEqualTo(1);
    JsonObject read = await(client.get("/judge0/submissions/" + token + "?base64_encoded=true")
      .putHeader("x-auth-token", ALICE).send()).bodyAsJsonObject();
    assertThat(read.getString("stdout")).isEqualTo(body.getString("stdout"));
    assertThat(read.getJsonObject("status")).isEqualTo(body.getJsonObject("status"));
  }

  @Test
  void eachItemOfABatchCallsItsOwnUrlAndARefusedOneIsJudge0s422InItsPlace() throws Exception {
    String first = hook();
    String second = hook();
    JsonArray items = new JsonArray()
      .add(new JsonObject().put("language_id", 71).put("source_code", "print('one')").put("callback_url", first))
      .add(new JsonObject().put("language_id", 71).put("source_code", "print('x')")
        .put("callback_url", "https://example.org/hook"))
      .add(new JsonObject().put("language_id", 50).put("source_code", C_VALUE).put("compiler_options", "-DVALUE=7")
        .put("callback_url", second));
    HttpResponse<Buffer> created = judge0Post("/submissions/batch", new JsonObject().put("submissions", items));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonArray answers = created.bodyAsJsonArray();
    assertThat(answers.getJsonObject(0).getString("token")).isNotNull();
    assertThat(answers.getJsonObject(1).fieldNames()).containsExactly("callback_url");
    assertThat(answers.getJsonObject(1).getJsonArray("callback_url").getString(0)).contains("webhooks.allow");
    assertThat(answers.getJsonObject(2).getString("token")).isNotNull();
    JsonObject one = awaitReceived(first).body().toJsonObject();
    assertThat(one.getString("token")).isEqualTo(answers.getJsonObject(0).getString("token"));
    assertThat(unb64(one.getString("stdout"))).isEqualTo("one\n");
    JsonObject two = awaitReceived(second).body().toJsonObject();
    assertThat(two.getString("token")).isEqualTo(answers.getJsonObject(2).getString("token"));
    assertThat(unb64(two.getString("stdout"))).isEqualTo("7\n");
  }

  @Test
  void aCallbackOutsideTheAllowListIsJudge0s422AndNothingRuns() {
    for (String url : List.of("https://example.org/hook", "http://169.254.169.254/latest/meta-data/",
      "http://127.0.0.1:" + (port == 1 ? 2 : 1) + "/x", "ftp://127.0.0.1:" + port + "/x", "not a url")) {
      HttpResponse<Buffer> r = judge0Post("/submissions?wait=true", new JsonObject().put("language_id", 71)
        .put("source_code", "print(1)").put("callback_url", url));
      assertThat(r.statusCode()).as(url).isEqualTo(422);
      assertThat(r.bodyAsJsonObject().fieldNames()).as(url).containsExactly("callback_url");
    }
  }

  @Test
  void compilerOptionsReachTheCompilerAsWords() throws Exception {
    // with wait=true and a callback: the answer and the PUT carry the same submission
    String url = hook();
    HttpResponse<Buffer> warned = judge0Post("/submissions?wait=true", new JsonObject().put("language_id", 50)
      .put("source_code", "#include <stdio.h>\nint main(void) { int unused; puts(\"ok\"); return 0; }\n")
      .put("compiler_options", "-O2 -Wall").put("callback_url", url));
    assertThat(warned.statusCode()).as(warned.bodyAsString()).isEqualTo(201);
    JsonObject s = warned.bodyAsJsonObject();
    assertThat(s.getJsonObject("status").getInteger("id")).isEqualTo(3);
    assertThat(s.getString("stdout")).isEqualTo("ok\n");
    // -Wall was given: gcc warns of the unused variable
    assertThat(s.getString("compile_output")).contains("unused");
    JsonObject put = awaitReceived(url).body().toJsonObject();
    assertThat(put.getString("token")).isEqualTo(s.getString("token"));
    assertThat(unb64(put.getString("stdout"))).isEqualTo("ok\n");
    assertThat(unb64(put.getString("compile_output"))).isEqualTo(s.getString("compile_output"));
    // without the define the program does not compile: the options were what made it
    HttpResponse<Buffer> undefined = judge0Post("/submissions?wait=true", new JsonObject().put("language_id", 50)
      .put("source_code", C_VALUE));
    assertThat(undefined.bodyAsJsonObject().getJsonObject("status").getInteger("id")).isEqualTo(6);
    // the attacker's options, and options for a language without a compile step: 422, nothing runs
    for (String attack : List.of("-O2; touch /tmp/pwned", "$(id)", "`id`", "-O2\nid", "-DX='a b'", "x".repeat(600))) {
      HttpResponse<Buffer> r = judge0Post("/submissions?wait=true", new JsonObject().put("language_id", 50)
        .put("source_code", C_VALUE).put("compiler_options", attack));
      assertThat(r.statusCode()).isEqualTo(422);
      assertThat(r.bodyAsJsonObject().fieldNames()).containsExactly("compiler_options");
    }
    HttpResponse<Buffer> python = judge0Post("/submissions", new JsonObject().put("language_id", 71)
      .put("source_code", "print(1)").put("compiler_options", "-O2"));
    assertThat(python.statusCode()).isEqualTo(422);
    assertThat(python.bodyAsJsonObject()).isEqualTo(new JsonObject().put("compiler_options",
      new JsonArray().add("setting compiler options is only allowed for compiled languages")));
  }
}
