package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Piston's interactive socket ({@code /api/v2/connect}) on the real engine, with a real WebSocket
 * client speaking Piston's messages: an interactive program end to end (init, runtime, stage,
 * stdin in, output out, exit, close 4999), a compiled program's compile and run stages, a signal;
 * and the attacker's cases, each closing with Piston's code and leaving no container.
 */
class PistonConnectIT extends StreamITBase {

  private static final String KEY = ApiKey.generate();
  private static final int MAX_MESSAGE = 256 * 1024;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PistonConnectIT.class);

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getAuth().addKey(new ApiKey("piston", ApiKey.hash(KEY), List.of(), List.of(), 0, 0));
    options.getHttp().setMaxRequestBytes(MAX_MESSAGE);
    return options;
  }

  @BeforeAll
  void requireImages() {
    DockerSupport.requireImages(DefaultRuntimes.MULTI_LANGUAGE_IMAGE);
  }

  private Frames connect(String uri) {
    Frames frames = new Frames();
    ClientWebSocket ws = wsClient.webSocket();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.closeHandler(v -> frames.closed(ws.closeStatusCode(), ws.closeReason()));
    frames.ws = await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
      .setURI(uri).addHeader("authorization", "Bearer " + KEY)));
    return frames;
  }

  private Frames connect() {
    return connect("/api/v2/connect");
  }

  private static JsonObject init(String language, String content) {
    return new JsonObject().put("type", "init").put("language", language).put("version", "*")
      .put("files", new JsonArray().add(new JsonObject().put("content", content)));
  }

  private static JsonObject stdin(String data) {
    return new JsonObject().put("type", "data").put("stream", "stdin").put("data", data);
  }

  private static Predicate<JsonObject> data(String stream, String text) {
    return f -> "data".equals(f.getString("type")) && stream.equals(f.getString("stream"))
      && f.getString("data").contains(text);
  }

  private static String stream(Frames frames, String stream) {
    StringBuilder sb = new StringBuilder();
    frames.all().stream().filter(f -> "data".equals(f.getString("type")) && stream.equals(f.getString("stream")))
      .forEach(f -> sb.append(f.getString("data")));
    return sb.toString();
  }

  /**
   * @return the messages' types, consecutive data messages as one
   */
  private static List<String> shape(Frames frames) {
    List<String> types = new java.util.ArrayList<>();
    for (JsonObject f : frames.all()) {
      String t = f.getString("type");
      String item = "stage".equals(t) || "exit".equals(t) ? t + ":" + f.getString("stage") : t;
      if (!"data".equals(t) || types.isEmpty() || !"data".equals(types.get(types.size() - 1))) {
        types.add(item);
      }
    }
    return types;
  }

  @Test
  void anInteractiveProgramRunsEndToEnd() throws Exception {
    Frames frames = connect();
    send(frames, init("bash", "echo ready; read -r l; echo \"got:$l\"; echo oops >&2; exit 3"));
    JsonObject runtime = frames.awaitType("runtime", 30_000);
    assertThat(runtime.getString("language")).isEqualTo("bash");
    assertThat(runtime.getString("version")).isEqualTo("5.2.15");
    frames.await(data("stdout", "ready"), 30_000);
    send(frames, stdin("d\u00e9j\u00e0 vu\n"));
    JsonObject exit = frames.awaitExit(10_000);
    frames.awaitEnd(5_000);
    assertThat(exit).isEqualTo(new JsonObject().put("type", "exit").put("stage", "run").put("code", 3)
      .putNull("signal"));
    assertThat(stream(frames, "stdout")).isEqualTo("ready\ngot:d\u00e9j\u00e0 vu\n");
    assertThat(stream(frames, "stderr")).isEqualTo("oops\n");
    assertThat(shape(frames)).containsExactly("runtime", "stage:run", "data", "exit:run");
    assertThat(frames.closeCode).isEqualTo((short) 4999);
    assertThat(frames.closeReason).isEqualTo("Job Completed");
  }

  @Test
  void theAliasOfThePublicPistonPathServesTheSame() throws Exception {
    Frames frames = connect("/api/v2/piston/connect");
    send(frames, init("bash", "echo alias"));
    assertThat(frames.awaitExit(30_000).getInteger("code")).isZero();
    frames.awaitEnd(5_000);
    assertThat(stream(frames, "stdout")).isEqualTo("alias\n");
    assertThat(frames.closeCode).isEqualTo((short) 4999);
  }

  @Test
  void aCompiledProgramHasACompileStageThenARunStage() throws Exception {
    Frames frames = connect();
    send(frames, init("c", "#include <stdio.h>\nint main(void) { char b[64]; puts(\"ready\"); fflush(stdout);"
      + " if (fgets(b, sizeof b, stdin)) printf(\"echo:%s\", b); return 0; }\n"));
    frames.await(data("stdout", "ready"), 60_000);
    send(frames, stdin("compiled\n"));
    JsonObject exit = frames.await(f -> "exit".equals(f.getString("type")) && "run".equals(f.getString("stage")),
      10_000);
    frames.awaitEnd(5_000);
    assertThat(exit.getInteger("code")).isZero();
    assertThat(exit.getString("signal")).isNull();
    assertThat(shape(frames)).containsExactly("runtime", "stage:compile", "exit:compile", "stage:run", "data",
      "exit:run");
    assertThat(frames.all())
      .filteredOn(f -> "compile".equals(f.getString("stage")) && "exit".equals(f.getString("type")))
      .singleElement().satisfies(f -> assertThat(f.getInteger("code")).isZero());
    assertThat(stream(frames, "stdout")).isEqualTo("ready\necho:compiled\n");
    assertThat(frames.closeCode).isEqualTo((short) 4999);
  }

  @Test
  void theCompileStageEndsWhenTheCompileStepEndsNotWhenTheRunFirstWrites() throws Exception {
    Frames frames = connect();
    send(frames, init("c", "#include <stdio.h>\n#include <unistd.h>\nint main(void) { sleep(2);"
      + " puts(\"late\"); return 0; }\n"));
    frames.await(data("stdout", "late"), 60_000);
    frames.awaitExit(10_000);
    frames.awaitEnd(5_000);
    assertThat(shape(frames)).containsExactly("runtime", "stage:compile", "exit:compile", "stage:run", "data",
      "exit:run");
    long compileExit = frames.arrivalOf(f -> "exit".equals(f.getString("type")) && "compile".equals(f.getString("stage")));
    long runStage = frames.arrivalOf(f -> "stage".equals(f.getString("type")) && "run".equals(f.getString("stage")));
    long firstOutput = frames.arrivalOf(data("stdout", "late"));
    LOG.info("compile stage's exit {} ms, run stage {} ms before the first output of a program that sleeps 2 s",
      (firstOutput - compileExit) / 1_000_000, (firstOutput - runStage) / 1_000_000);
    // the program sleeps 2 s before it writes: both come when the compile step ends, as Piston sends them
    assertThat((firstOutput - compileExit) / 1_000_000).as("ms from the compile stage's exit to the first output")
      .isGreaterThan(1_000);
    assertThat((firstOutput - runStage) / 1_000_000).as("ms from the run stage to the first output")
      .isGreaterThan(1_000);
    assertThat(frames.all()).filteredOn(f -> "exit".equals(f.getString("type")) && "compile".equals(f.getString("stage")))
      .singleElement().isEqualTo(new JsonObject().put("type", "exit").put("stage", "compile").put("code", 0)
        .putNull("signal"));
    assertThat(frames.closeCode).isEqualTo((short) 4999);
  }

  @Test
  void aCompileErrorEndsWithTheCompileStage() throws Exception {
    Frames frames = connect();
    send(frames, init("c", "int main(void) { return nope; }\n"));
    JsonObject exit = frames.awaitExit(60_000);
    frames.awaitEnd(5_000);
    assertThat(exit.getString("stage")).isEqualTo("compile");
    assertThat(exit.getInteger("code")).isNotNull().isNotZero();
    assertThat(stream(frames, "stderr")).contains("nope");
    assertThat(shape(frames)).containsExactly("runtime", "stage:compile", "data", "exit:compile");
    assertThat(frames.closeCode).isEqualTo((short) 4999);
  }

  @Test
  void aSignalReachesTheProgram() throws Exception {
    Frames frames = connect();
    send(frames, init("bash", "echo ready; sleep 60; echo never"));
    frames.await(data("stdout", "ready"), 30_000);
    long t0 = System.nanoTime();
    send(frames, new JsonObject().put("type", "signal").put("signal", "SIGKILL"));
    JsonObject exit = frames.awaitExit(10_000);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    assertThat(exit).isEqualTo(new JsonObject().put("type", "exit").put("stage", "run").putNull("code")
      .put("signal", "SIGKILL"));
    assertThat(stream(frames, "stdout")).isEqualTo("ready\n");
    frames.awaitEnd(5_000);
    assertThat(frames.closeCode).isEqualTo((short) 4999);
  }

  @Test
  void noInitWithinASecondClosesWith4001() throws Exception {
    Frames frames = connect();
    long t0 = System.nanoTime();
    frames.awaitEnd(5_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(frames.closeCode).isEqualTo((short) 4001);
    assertThat(frames.closeReason).isEqualTo("Initialization Timeout");
    assertThat(ms).isBetween(800L, 3_000L);
    assertThat(frames.all()).isEmpty();
  }

  @Test
  void aSecondInitClosesWith4000AndCancelsTheFirst() throws Exception {
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 10_000)).isEmpty();
    Frames frames = connect();
    send(frames, init("bash", "echo ready; sleep 60"));
    frames.await(data("stdout", "ready"), 30_000);
    assertThat(DockerSupport.executionContainers(docker, instanceId)).hasSize(1);
    send(frames, init("bash", "echo again"));
    frames.awaitEnd(10_000);
    assertThat(frames.closeCode).isEqualTo((short) 4000);
    assertThat(frames.closeReason).isEqualTo("Already Initialized");
    assertThat(stream(frames, "stdout")).isEqualTo("ready\n");
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 5_000)).isEmpty();
  }

  @Test
  void dataOrASignalBeforeInitClosesWith4003() throws Exception {
    for (JsonObject early : List.of(stdin("x\n"), new JsonObject().put("type", "signal").put("signal", "SIGINT"))) {
      Frames frames = connect();
      send(frames, early);
      frames.awaitEnd(5_000);
      assertThat(frames.closeCode).as(early.encode()).isEqualTo((short) 4003);
      assertThat(frames.closeReason).isEqualTo("Not yet initialized");
    }
  }

  @Test
  void writingToAnotherStreamOrAnInvalidSignalCloses() throws Exception {
    Frames frames = connect();
    send(frames, init("bash", "echo ready; sleep 60"));
    frames.await(data("stdout", "ready"), 30_000);
    send(frames, new JsonObject().put("type", "data").put("stream", "stdout").put("data", "forged"));
    frames.awaitEnd(10_000);
    assertThat(frames.closeCode).isEqualTo((short) 4004);
    assertThat(frames.closeReason).isEqualTo("Can only write to stdin");

    Frames signalled = connect();
    send(signalled, init("bash", "echo ready; sleep 60"));
    signalled.await(data("stdout", "ready"), 30_000);
    send(signalled, new JsonObject().put("type", "signal").put("signal", "SIGSTOP"));
    signalled.awaitEnd(10_000);
    assertThat(signalled.closeCode).isEqualTo((short) 4005);
    assertThat(signalled.closeReason).isEqualTo("Invalid signal");
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 5_000)).isEmpty();
  }

  @Test
  void aBadLanguageOrAMessageThatIsNotJsonIsAnErrorThenClose4002() throws Exception {
    Frames frames = connect();
    send(frames, init("cobol", "DISPLAY 'x'."));
    frames.awaitEnd(10_000);
    assertThat(frames.closeCode).isEqualTo((short) 4002);
    assertThat(frames.closeReason).isEqualTo("Notified Error");
    assertThat(frames.all()).singleElement().satisfies(f -> {
      assertThat(f.getString("type")).isEqualTo("error");
      assertThat(f.getString("message")).startsWith("cobol-* runtime is unknown");
    });

    Frames garbage = connect();
    await(garbage.ws.writeTextMessage("{not json"));
    garbage.awaitEnd(10_000);
    assertThat(garbage.closeCode).isEqualTo((short) 4002);
    assertThat(garbage.all()).singleElement().satisfies(f -> assertThat(f.getString("type")).isEqualTo("error"));

    Frames binary = connect();
    await(binary.ws.writeBinaryMessage(Buffer.buffer(new byte[]{1, 2, 3})));
    binary.awaitEnd(10_000);
    assertThat(binary.closeCode).isEqualTo((short) 4002);
  }

  @Test
  void aHugeMessageClosesWith4009AndStartsNothing() throws Exception {
    // the other tests' containers are being removed after their sockets closed
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 10_000)).isEmpty();
    Frames frames = connect();
    send(frames, init("bash", "#".repeat(MAX_MESSAGE + 10)));
    frames.awaitEnd(10_000);
    assertThat(frames.closeCode).isEqualTo((short) 4009);
    assertThat(frames.all()).noneMatch(f -> "runtime".equals(f.getString("type")));
    for (int i = 0; i < 5; i++) {
      assertThat(DockerSupport.executionContainers(docker, instanceId)).isEmpty();
      Thread.sleep(100);
    }
  }

  @Test
  void aFloodOfIgnoredMessagesIsClosedWith4029() throws Exception {
    // a raw client: the close frame is seen as it comes (the gateway stops reading a flooding socket)
    try (RawWebSocket ws = new RawWebSocket(gateway.actualPort(), "/api/v2/connect", KEY)) {
      ws.send(init("bash", "echo ready; sleep 60"));
      ws.await(data("stdout", "ready"), 30_000);
      long t0 = System.nanoTime();
      ws.sendAll(java.util.Collections.nCopies(2_000, "{\"type\":\"dance\"}"));
      assertThat(ws.awaitClose(10_000)).isEqualTo(4029);
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
      assertThat(ws.closeReason()).contains("refused");
      // ignored messages get no answer; the one error says why the socket closes
      assertThat(ws.received()).filteredOn(f -> "error".equals(f.getString("type"))).singleElement()
        .satisfies(f -> assertThat(f.getString("message")).contains("messages refused within a second"));
    }
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 5_000)).isEmpty();
  }

  @Test
  void withKeysConfiguredAnUnauthenticatedUpgradeIsRefused() {
    for (String uri : List.of("/api/v2/connect", "/api/v2/piston/connect")) {
      Throwable refused = catchThrowable(() -> await(wsClient.connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(gateway.actualPort()).setURI(uri))));
      Throwable cause = refused instanceof CompletionException ? refused.getCause() : refused;
      while (cause != null && !(cause instanceof UpgradeRejectedException)) {
        cause = cause.getCause();
      }
      assertThat(cause).as(String.valueOf(refused)).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) cause).getStatus()).isEqualTo(401);
    }
  }

  @Test
  void aPlainRequestIsAPistonShaped400() {
    var response = await(client.get("/api/v2/connect").bearerTokenAuthentication(KEY).send());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("message")).startsWith("this endpoint speaks WebSocket");
  }

  @Test
  void aPageOfAnotherOriginIsRefused() {
    Throwable refused = catchThrowable(() -> await(wsClient.connect(new WebSocketConnectOptions()
      .setHost("127.0.0.1").setPort(gateway.actualPort()).setURI("/api/v2/connect")
      .addHeader("authorization", "Bearer " + KEY).addHeader("origin", "http://127.0.0.1:3000"))));
    Throwable cause = refused;
    while (cause != null && !(cause instanceof UpgradeRejectedException)) {
      cause = cause.getCause();
    }
    assertThat(cause).as(String.valueOf(refused)).isInstanceOf(UpgradeRejectedException.class);
    // Piston answers every refused request with 400
    assertThat(((UpgradeRejectedException) cause).getStatus()).isEqualTo(400);
  }
}
