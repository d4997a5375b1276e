package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code compiled} frame: what a client reads, and the same frame back from it (the cluster's
 * event bus carries frames as JSON).
 */
class FrameJsonTest {

  @Test
  void theCompiledFrameCarriesTheCompileStepsExitCodeAndItsStage() {
    Frame compiled = Frame.compiled(4, 812, 0);
    assertThat(compiled.toJson()).isEqualTo(new JsonObject().put("type", "compiled").put("seq", 4L).put("t", 812L)
      .put("stage", "compile").put("exitCode", 0));
    assertThat(Frame.fromJson(compiled.toJson())).isEqualTo(compiled);
    assertThat(Frame.fromJson(Frame.compiled(5, 900, 1).toJson()).exitCode()).isEqualTo(1);
    assertThat(compiled.isTerminal()).isFalse();
  }

  @Test
  void noOtherFrameCarriesAnExitCodeOfItsOwn() {
    Frame out = Frame.output(3, 10, false, "x").inStage(Frame.COMPILE_STAGE);
    assertThat(out.toJson().containsKey("exitCode")).isFalse();
    assertThat(Frame.fromJson(out.toJson())).isEqualTo(out);
  }

  @Test
  void theDisplayFrameCarriesAMediaTypeAndItsData() {
    Frame display = Frame.display(7, 900, new DisplayOutput("image/png", "iVBORw0KGgo="));
    assertThat(display.toJson()).isEqualTo(new JsonObject().put("type", "display").put("seq", 7L).put("t", 900L)
      .put("data", "iVBORw0KGgo=").put("mediaType", "image/png"));
    assertThat(Frame.fromJson(display.toJson())).isEqualTo(display);
    assertThat(display.display()).isEqualTo(new DisplayOutput("image/png", "iVBORw0KGgo="));
    assertThat(display.isTerminal()).isFalse();
    assertThat(display.weight()).isGreaterThan(Frame.OVERHEAD_BYTES + 12);
    assertThat(Frame.output(1, 1, false, "x").toJson().containsKey("mediaType")).isFalse();
  }

  @Test
  void aResultCarriesItsOutputsAndTheExitFrameOnlyWhetherSomeWereLeftOut() {
    ExecutionResult plain = new ExecutionResult("e1", ExecutionStatus.SUCCEEDED, 0, null, "H()\n", "", false, false,
      "img", "python", 5L, 1L, Usage.UNKNOWN, null, 1L);
    assertThat(plain.toJson().containsKey("outputs")).isFalse();
    assertThat(plain.toJson().containsKey("outputsTruncated")).isFalse();

    DisplayOutputs outputs = new DisplayOutputs(List.of(new DisplayOutput("text/html", "<b>hi</b>"),
      new DisplayOutput("text/plain", "H()")), false);
    ExecutionResult rich = plain.withOutputs(outputs);
    JsonObject json = rich.toJson();
    assertThat(json.getJsonArray("outputs")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("mediaType", "text/html").put("data", "<b>hi</b>"))
      .add(new JsonObject().put("mediaType", "text/plain").put("data", "H()")));
    assertThat(json.containsKey("outputsTruncated")).isFalse();
    assertThat(ExecutionResult.fromJson(json)).isEqualTo(rich);
    // they went as display frames: the exit frame does not carry them again
    assertThat(Frame.exit(9, 10, rich).toJson().containsKey("outputs")).isFalse();
    assertThat(rich.withStatus(ExecutionStatus.FAILED).outputs()).isEqualTo(outputs);
    assertThat(rich.withOutputEvicted().outputs()).isNull();

    ExecutionResult cut = plain.withOutputs(new DisplayOutputs(outputs.items(), true));
    assertThat(cut.toJson().getBoolean("outputsTruncated")).isTrue();
    JsonObject exit = Frame.exit(9, 10, cut).toJson();
    assertThat(exit.getBoolean("outputsTruncated")).isTrue();
    assertThat(exit.containsKey("outputs")).isFalse();
    assertThat(Frame.fromJson(exit).result().outputs().truncated()).isTrue();
  }
}
