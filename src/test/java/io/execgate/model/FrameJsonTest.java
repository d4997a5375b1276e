package io.execgate.model;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

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
}
