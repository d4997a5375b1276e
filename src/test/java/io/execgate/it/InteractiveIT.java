package io.execgate.it;

import io.execgate.GatewayOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import com.github.dockerjava.api.model.Container;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.execgate.it.Frames.stdoutContaining;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interactive socket on the real engine: stdin line by line, stdin_close, signals and cancel
 * really reach the program, closing the socket removes the container, and bad client messages get
 * an error frame or a 4000-range close, never a crash or an orphaned execution.
 */
class InteractiveIT extends StreamITBase {

  private static final String ECHO_LINES = "echo ready; while IFS= read -r l; do echo \"got:$l\"; done; echo bye";

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getHttp().setMaxRequestBytes(1 << 20);
    // pings every 500 ms: every test here also shows that a live client is never taken for a dead one
    options.getHttp().setStreamKeepaliveMs(500);
    return options;
  }

  @Test
  void eachLineIsAnsweredAndStdinCloseEndsTheProgram() throws Exception {
    Frames frames = interactive(new JsonObject().put("script", ECHO_LINES));
    frames.await(stdoutContaining("ready"), 30_000);
    for (String line : new String[]{"one", "two words", "d\u00e9j\u00e0 \uD83D\uDE00"}) {
      send(frames, new JsonObject().put("type", "stdin").put("data", line + "\n"));
      frames.await(stdoutContaining("got:" + line + "\n"), 10_000);
    }
    send(frames, new JsonObject().put("type", "stdin_close"));
    JsonObject exit = frames.awaitExit(10_000);
    assertThat(exit.getString("status")).isEqualTo("succeeded");
    assertThat(exit.getInteger("exitCode")).isZero();
    assertThat(frames.stdout()).isEqualTo("ready\ngot:one\ngot:two words\ngot:d\u00e9j\u00e0 \uD83D\uDE00\nbye\n");
    frames.awaitEnd(5_000);
    assertThat(frames.closeCode).isEqualTo((short) 1000);
  }

  @Test
  void stdinSentRightAfterRunIsNotLost() throws Exception {
    Frames frames = interactive(new JsonObject().put("script", "cat; echo end"));
    send(frames, new JsonObject().put("type", "stdin").put("data", "early\n"));
    send(frames, new JsonObject().put("type", "stdin_close"));
    JsonObject exit = frames.awaitExit(30_000);
    assertThat(exit.getString("status")).isEqualTo("succeeded");
    assertThat(frames.stdout()).isEqualTo("early\nend\n");
  }

  @ParameterizedTest
  @CsvSource({"SIGINT, 130", "SIGTERM, 143", "SIGKILL, 137"})
  void signalsReachTheProgram(String signal, int exitCode) throws Exception {
    Frames frames = interactive(new JsonObject().put("script", "echo ready; read -r x; echo never"));
    frames.await(stdoutContaining("ready"), 30_000);
    send(frames, new JsonObject().put("type", "signal").put("signal", signal));
    JsonObject exit = frames.awaitExit(10_000);
    assertThat(exit.getString("status")).as(exit.encode()).isEqualTo("failed");
    assertThat(exit.getString("signal")).isEqualTo(signal);
    assertThat(exit.getInteger("exitCode")).isEqualTo(exitCode);
    assertThat(frames.stdout()).isEqualTo("ready\n");
  }

  @ParameterizedTest
  @CsvSource({"SIGINT", "SIGTERM", "SIGUSR1"})
  void signalsReachAProgramUnderDash(String signal) throws Exception {
    // the python image's /bin/sh is dash, whose kill takes other forms than busybox's
    Frames frames = interactive(new JsonObject().put("language", "python")
      .put("script", "import sys, signal\nsignal.signal(signal.SIGINT, signal.SIG_DFL)\nprint('ready', flush=True)\nsys.stdin.readline()\nprint('never')"));
    frames.await(stdoutContaining("ready"), 30_000);
    send(frames, new JsonObject().put("type", "signal").put("signal", signal));
    JsonObject exit = frames.awaitExit(10_000);
    assertThat(exit.getString("signal")).as(exit.encode()).isEqualTo(signal);
    assertThat(frames.stdout()).isEqualTo("ready\n");
  }

  @Test
  void cancelStopsTheProgram() throws Exception {
    Frames frames = interactive(new JsonObject().put("script", "echo ready; sleep 60"));
    frames.await(stdoutContaining("ready"), 30_000);
    send(frames, new JsonObject().put("type", "cancel"));
    JsonObject exit = frames.awaitExit(10_000);
    assertThat(exit.getString("status")).isEqualTo("cancelled");
  }

  @Test
  void closingTheSocketRemovesTheContainerWithinTwoSeconds() throws Exception {
    Frames frames = interactive(new JsonObject().put("script", "echo ready; sleep 60"));
    JsonObject accepted = frames.awaitType("accepted", 30_000);
    frames.await(stdoutContaining("ready"), 30_000);
    assertThat(DockerSupport.executionContainers(docker, instanceId)).hasSize(1);
    long t0 = System.nanoTime();
    await(frames.ws.close());
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 2_000)).isEmpty();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).isLessThan(2_000);
    String status = awaitStatus(accepted.getString("id"), GatewayITBase::isFinal, 10_000).getString("status");
    assertThat(status).isEqualTo("cancelled");
  }

  @Test
  void aPeerThatAnswersNoPingIsTakenForDeadAndItsExecutionCancelled() throws Exception {
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 10_000)).isEmpty();
    // a client that opens the socket, sends run, then neither reads nor answers pings: a dead peer
    try (Socket raw = new Socket("127.0.0.1", gateway.actualPort())) {
      OutputStream out = raw.getOutputStream();
      out.write(("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      byte[] head = new byte[12];
      assertThat(raw.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
      assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
      byte[] run = new JsonObject().put("type", "run").put("script", "echo ready; sleep 60").encode()
        .getBytes(StandardCharsets.UTF_8);
      // one masked text frame (mask key 0)
      out.write(new byte[]{(byte) 0x81, (byte) (0x80 | run.length), 0, 0, 0, 0});
      out.write(run);
      out.flush();
      long deadline = System.currentTimeMillis() + 30_000;
      List<Container> running;
      do {
        running = DockerSupport.executionContainers(docker, instanceId);
        Thread.sleep(50);
      } while (running.isEmpty() && System.currentTimeMillis() < deadline);
      assertThat(running).hasSize(1);
      // a warm container keeps its "warm" label; its name says whose it is
      String id = running.get(0).getNames()[0].substring("/execgate-".length());
      // two missed pings (500 ms apart) later, the gateway drops it and cancels its execution
      String status = awaitStatus(id, GatewayITBase::isFinal, 10_000).getString("status");
      assertThat(status).isEqualTo("cancelled");
      assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 5_000)).isEmpty();
    }
  }

  @Test
  void badMessagesGetErrorFramesAndTheSocketStaysUsable() throws Exception {
    Frames frames = ws("/v1/ws");
    frames.ws.writeTextMessage("not json");
    frames.ws.writeTextMessage("{\"type\":42}");
    frames.ws.writeTextMessage("{\"type\":\"dance\"}");
    frames.ws.writeTextMessage("{\"type\":\"stdin\",\"data\":\"too early\"}");
    frames.ws.writeTextMessage("{\"type\":\"run\",\"script\":\"x\",\"limits\":{\"timeoutMs\":99999999}}");
    frames.ws.writeTextMessage("{\"type\":\"run\",\"script\":\"x\",\"bogus\":1}");
    frames.await(f -> "bogus".equals(f.getString("message")) || String.valueOf(f.getString("message"))
      .contains("unknown field bogus"), 10_000);
    assertThat(frames.all()).extracting(f -> f.getString("code")).containsExactly("invalid_json", "invalid_request",
      "invalid_request", "protocol_violation", "limit_exceeded", "invalid_request");
    assertThat(frames.all()).allSatisfy(f -> {
      assertThat(f.getString("type")).isEqualTo("error");
      assertThat(f.getLong("seq")).isEqualTo(-1L);
    });
    // still usable: a valid run works
    send(frames, new JsonObject().put("type", "run").put("script", "echo ok"));
    JsonObject exit = frames.awaitExit(30_000);
    assertThat(exit.getString("status")).isEqualTo("succeeded");
    assertThat(frames.stdout()).isEqualTo("ok\n");
    // a signal to an ended program, an unknown signal: error frames, not crashes (the socket closes after exit)
    frames.awaitEnd(5_000);
    assertThat(frames.closeCode).isEqualTo((short) 1000);
  }

  @Test
  void anUnknownSignalIsAnErrorFrame() throws Exception {
    Frames frames = interactive(new JsonObject().put("script", "echo ready; read -r x; echo done:$x"));
    frames.await(stdoutContaining("ready"), 30_000);
    send(frames, new JsonObject().put("type", "signal").put("signal", "SIGSEGV"));
    JsonObject error = frames.awaitType("error", 10_000);
    assertThat(error.getString("code")).isEqualTo("invalid_request");
    assertThat(error.getString("message")).contains("SIGINT");
    send(frames, new JsonObject().put("type", "stdin").put("data", "fine\n"));
    assertThat(frames.awaitExit(10_000).getString("status")).isEqualTo("succeeded");
    assertThat(frames.stdout()).isEqualTo("ready\ndone:fine\n");
  }

  @Test
  void aSecondRunIsAProtocolViolationAndCancelsTheFirst() throws Exception {
    Frames frames = interactive(new JsonObject().put("script", "echo ready; sleep 60"));
    JsonObject accepted = frames.awaitType("accepted", 30_000);
    frames.await(stdoutContaining("ready"), 30_000);
    send(frames, new JsonObject().put("type", "run").put("script", "echo again"));
    frames.awaitEnd(10_000);
    assertThat(frames.closeCode).isEqualTo((short) 4000);
    assertThat(frames.closeReason).contains("run");
    assertThat(awaitStatus(accepted.getString("id"), GatewayITBase::isFinal, 10_000).getString("status"))
      .isEqualTo("cancelled");
  }

  @Test
  void binaryFramesCloseTheSocket() throws Exception {
    Frames frames = ws("/v1/ws");
    frames.ws.writeBinaryMessage(Buffer.buffer(new byte[]{1, 2, 3}));
    frames.awaitEnd(10_000);
    assertThat(frames.closeCode).isEqualTo((short) 4000);
    assertThat(frames.all()).singleElement().satisfies(f -> assertThat(f.getString("code"))
      .isEqualTo("protocol_violation"));
  }

  @Test
  void oversizedMessagesCloseTheSocket() throws Exception {
    java.util.Set<String> before = DockerSupport.executionContainers(docker, instanceId).stream()
      .map(Container::getId).collect(java.util.stream.Collectors.toSet());
    Frames frames = ws("/v1/ws");
    String script = "#".repeat((1 << 20) + 10);
    frames.ws.writeTextMessage(new JsonObject().put("type", "run").put("script", script).encode());
    frames.awaitEnd(10_000);
    assertThat(frames.closeCode).isEqualTo((short) 4009);
    // the oversized run started nothing
    for (int i = 0; i < 10; i++) {
      assertThat(DockerSupport.executionContainers(docker, instanceId)).extracting(Container::getId)
        .allMatch(before::contains);
      Thread.sleep(100);
    }
  }
}
