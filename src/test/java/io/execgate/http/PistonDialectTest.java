package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.error.GatewayException;
import io.execgate.model.Control;
import io.execgate.request.RuntimeCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What each of Piston's client messages does to a session, before and after {@code init}: the
 * close codes of Piston's {@code /api/v2/connect}.
 */
class PistonDialectTest {

  private final GatewayOptions options = new GatewayOptions();
  private final PistonDialect dialect = new PistonDialect(new PistonMapper(options, new RuntimeCatalog(options)));

  /** Records what the dialect asked of it. */
  private static final class Recorder implements SocketDialect.Session {
    final List<String> calls = new ArrayList<>();
    boolean idle = true;
    boolean allowed = true;

    @Override
    public boolean idle() {
      return idle;
    }

    @Override
    public void startExecution() {
      calls.add("start");
    }

    @Override
    public boolean controlAllowed(String type) {
      calls.add("rate " + type);
      return allowed;
    }

    @Override
    public void control(Control control) {
      calls.add(control.type().id() + " " + (control.data() != null ? control.data() : control.signal()));
    }

    @Override
    public void refuse(GatewayException error) {
      calls.add("refuse " + (error == null ? "silently" : error.getMessage()));
    }

    @Override
    public void error(GatewayException error) {
      calls.add("error " + error.getMessage());
    }

    @Override
    public void close(int closeCode, GatewayException error) {
      calls.add(closeCode + " " + error.getMessage());
    }
  }

  private List<String> dispatch(boolean idle, JsonObject msg) {
    Recorder session = new Recorder();
    session.idle = idle;
    dialect.dispatch(msg, session);
    return session.calls;
  }

  private static JsonObject type(String type) {
    return new JsonObject().put("type", type);
  }

  @Test
  void initStartsOnceThenIsAlreadyInitialized() {
    assertThat(dispatch(true, type("init"))).containsExactly("start");
    assertThat(dispatch(false, type("init"))).containsExactly("4000 Already Initialized");
  }

  @Test
  void dataAndSignalsBeforeInitAreNotYetInitialized() {
    assertThat(dispatch(true, type("data").put("stream", "stdin").put("data", "x"))).containsExactly(
      "4003 Not yet initialized");
    assertThat(dispatch(true, type("signal").put("signal", "SIGINT"))).containsExactly("4003 Not yet initialized");
  }

  @Test
  void dataGoesToStdinOnly() {
    assertThat(dispatch(false, type("data").put("stream", "stdin").put("data", "hi\n"))).containsExactly(
      "stdin hi\n");
    assertThat(dispatch(false, type("data").put("stream", "stdout").put("data", "forged"))).containsExactly(
      "4004 Can only write to stdin");
    assertThat(dispatch(false, type("data").put("data", "no stream"))).containsExactly(
      "4004 Can only write to stdin");
    assertThat(dispatch(false, type("data").put("stream", "stdin").put("data", 42))).containsExactly(
      "4002 data must be a string");
  }

  @Test
  void signalsAreTheSendableOnesWithinTheControlRate() {
    assertThat(dispatch(false, type("signal").put("signal", "SIGINT"))).containsExactly("rate signal",
      "signal SIGINT");
    for (Object bad : new Object[]{"SIGSTOP", "SIGSEGV", "sigint", "", 9}) {
      assertThat(dispatch(false, type("signal").put("signal", bad))).as(String.valueOf(bad))
        .containsExactly("4005 Invalid signal");
    }
    assertThat(dispatch(false, type("signal"))).containsExactly("4005 Invalid signal");
    Recorder throttled = new Recorder();
    throttled.idle = false;
    throttled.allowed = false;
    dialect.dispatch(type("signal").put("signal", "SIGTERM"), throttled);
    assertThat(throttled.calls).containsExactly("rate signal");
  }

  @Test
  void otherTypesAreIgnoredButCountedAsRefused() {
    assertThat(dispatch(false, type("dance"))).containsExactly("refuse silently");
    assertThat(dispatch(true, new JsonObject())).containsExactly("refuse silently");
    assertThat(dispatch(false, type("stdin_close"))).containsExactly("refuse silently");
  }

  @Test
  void initIsTheExecuteRequestWithoutItsStdin() {
    JsonObject submit = dialect.submitBody(type("init").put("language", "py").put("version", "3.x")
      .put("stdin", "discarded").put("args", new JsonArray().add("a"))
      .put("files", new JsonArray().add(new JsonObject().put("content", "print(1)"))));
    assertThat(submit.getString("language")).isEqualTo("python");
    assertThat(submit.containsKey("stdin")).isFalse();
    assertThat(submit.getJsonArray("args")).containsExactly("a");
    assertThatThrownBy(() -> dialect.submitBody(type("init").put("language", "cobol")
      .put("files", new JsonArray().add(new JsonObject().put("content", "x")))))
      .isInstanceOf(GatewayException.class).hasMessageStartingWith("cobol-* runtime is unknown");
    assertThatThrownBy(() -> dialect.submitBody(type("init").put("language", "py")))
      .isInstanceOf(GatewayException.class).hasMessage("files is required as an array");
  }
}
