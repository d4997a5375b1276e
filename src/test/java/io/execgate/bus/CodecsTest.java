package io.execgate.bus;

import io.execgate.model.Admission;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.FramePage;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageList;
import io.execgate.model.ImageRequest;
import io.execgate.model.ImageState;
import io.execgate.model.ImageStats;
import io.execgate.model.Readiness;
import io.execgate.model.ResourceLimits;
import io.execgate.model.PoolKey;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.execgate.model.StageResult;
import io.execgate.model.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CodecsTest {

  private static <T> T wireRoundTrip(T value) {
    @SuppressWarnings("unchecked")
    RecordCodec<T> codec = (RecordCodec<T>) Codecs.ALL.stream().filter(c -> c.type() == value.getClass())
      .findFirst().orElseThrow();
    Buffer buffer = Buffer.buffer().appendString("junk");
    codec.encodeToWire(buffer, value);
    return codec.decodeFromWire(4, buffer);
  }

  static final ExecutionResult RESULT = new ExecutionResult("id1", ExecutionStatus.FAILED, 3, null, "hi\n",
    "err \uD83D\uDE00\n", false, true, "img:1", "sh", 12L, 3L, new Usage(5L, 4096L), "msg", 1234L);

  static final ExecutionResult COMPILED = new ExecutionResult("id2", ExecutionStatus.FAILED, null, null, "", "",
    false, false, "img:1", "c", null, 3L, new Usage(5L, 4096L), "the compile step failed", 1234L,
    new StageResult(1, null, "", "main.c:1: error\n", false, true, 80L, new Usage(3L, 2048L)));

  @Test
  void everyRecordSurvivesTheWire() {
    RuntimeSpec rt = new RuntimeSpec("c", List.of("gcc"), "12", "img:1", "main.c", "cc {file}", "./a.out", 5000, true);
    ExecutionJob job = new ExecutionJob("id1", 99, rt, "img:1",
      List.of(new SourceFile("main.c", new byte[]{0, 1, (byte) 0xff})), new byte[]{'i'}, List.of("a", "b"),
      Map.of("K", "v"), new ResourceLimits(1000, 64, 0.5, 32, 100), true);
    assertThat(wireRoundTrip(job)).isEqualTo(job);
    assertThat(wireRoundTrip(RESULT)).isEqualTo(RESULT);
    assertThat(wireRoundTrip(COMPILED)).isEqualTo(COMPILED);
    assertThat(wireRoundTrip(new Control(Control.Type.SIGNAL, null, "SIGINT")))
      .isEqualTo(new Control(Control.Type.SIGNAL, null, "SIGINT"));
    assertThat(wireRoundTrip(new Admission("id1", 4))).isEqualTo(new Admission("id1", 4));
    assertThat(wireRoundTrip(Control.pause())).isEqualTo(Control.pause());
    assertThat(wireRoundTrip(Control.resume())).isEqualTo(Control.resume());
    FramePage page = new FramePage(List.of(Frame.output(3, 4, false, "a\uD83D\uDE00"), Frame.exit(4, 5, RESULT)), 2, 5, true);
    assertThat(wireRoundTrip(page)).isEqualTo(page);
    assertThat(wireRoundTrip(new Readiness(true, false, "no image"))).isEqualTo(new Readiness(true, false, "no image"));
    assertThat(wireRoundTrip(new ImageRequest("img:1", false))).isEqualTo(new ImageRequest("img:1", false));
    ImageInfo failed = new ImageInfo("r:5000/img:1", "r:5000/img:1", ImageState.FAILED, null, null, 5L, 3,
      "image_pull_failed", "registry r:5000 is unreachable");
    ImageInfo present = new ImageInfo("img:1", "r:5000/img:1", ImageState.PRESENT, "sha256:1", 2048L, 7L, 0, null, null);
    assertThat(wireRoundTrip(failed)).isEqualTo(failed);
    ImageList list = new ImageList(List.of(failed, present), new ImageStats(9, 8, 7, 6, 5, 4, 3, 2));
    assertThat(wireRoundTrip(list)).isEqualTo(list);
  }

  @Test
  void aRuntimesOciRuntimeSurvivesTheWireAndKeysItsPool() {
    RuntimeSpec gvisor = new RuntimeSpec("sh-gvisor", List.of(), "1", "img:1", "main.sh", null, "sh {file}", 5000,
      false, "runsc");
    ExecutionJob job = new ExecutionJob("id1", 99, gvisor, "img:1", List.of(new SourceFile("main.sh", new byte[]{'x'})),
      null, List.of(), Map.of(), new ResourceLimits(1000, 64, 0.5, 32, 100), false);
    assertThat(wireRoundTrip(job).runtime().ociRuntime()).isEqualTo("runsc");
    assertThat(RuntimeSpec.fromJson(gvisor.toJson())).isEqualTo(gvisor);
    RuntimeSpec runc = gvisor.withImage("img:1");
    assertThat(RuntimeSpec.fromJson(new RuntimeSpec("sh", List.of(), "1", "img:1", "main.sh", null, "sh {file}", 5000,
      false).toJson()).ociRuntime()).isNull();
    assertThat(PoolKey.of(gvisor, "img:1")).isEqualTo(new PoolKey("img:1", false, "runsc"))
      .isNotEqualTo(new PoolKey("img:1", false));
    assertThat(wireRoundTrip(PoolKey.of(runc, "img:1"))).isEqualTo(new PoolKey("img:1", false, "runsc"));
    assertThat(wireRoundTrip(new PoolKey("img:1", true))).isEqualTo(new PoolKey("img:1", true, null));
  }

  @Test
  void everyFrameTypeSurvivesTheWire() {
    List<Frame> frames = List.of(
      Frame.accepted(0, 1, "id1"),
      Frame.status(1, 2, ExecutionStatus.RUNNING),
      Frame.output(2, 3, false, "out"),
      Frame.output(3, 3, true, "err"),
      Frame.output(3, 3, true, "warning").inStage(Frame.COMPILE_STAGE),
      Frame.truncated(4, 5, false, 10).inStage(Frame.COMPILE_STAGE),
      Frame.truncated(4, 5, true, 1024),
      Frame.error(5, 6, "internal", "boom"),
      Frame.keepalive(6, 7),
      Frame.exit(7, 8, RESULT),
      Frame.exit(8, 9, COMPILED.withoutOutput()));
    for (Frame f : frames) {
      assertThat(wireRoundTrip(f)).isEqualTo(f);
    }
  }

  @Test
  void theExitFrameCarriesTheResultWithoutItsOutput() {
    Frame exit = Frame.exit(9, 10, RESULT);
    assertThat(exit.toJson().containsKey("stdout")).isFalse();
    assertThat(exit.toJson().getString("status")).isEqualTo("failed");
    assertThat(exit.toJson().getInteger("exitCode")).isEqualTo(3);
    assertThat(exit.toJson().getString("type")).isEqualTo("exit");
  }

  @Test
  void theCompileStepIsInTheJsonOnlyWhenThereIsOne() {
    assertThat(RESULT.toJson().containsKey("compile")).isFalse();
    assertThat(COMPILED.toJson().getJsonObject("compile").getString("stderr")).isEqualTo("main.c:1: error\n");
    assertThat(Frame.exit(1, 2, COMPILED).toJson().getJsonObject("compile").containsKey("stderr")).isFalse();
    assertThat(Frame.output(1, 2, true, "w").inStage(Frame.COMPILE_STAGE).toJson().getString("stage"))
      .isEqualTo("compile");
    assertThat(Frame.output(1, 2, true, "w").toJson().containsKey("stage")).isFalse();
  }

  @Test
  void codecsHaveDistinctNames() {
    assertThat(Codecs.ALL.stream().map(RecordCodec::name).distinct().count()).isEqualTo(Codecs.ALL.size());
  }
}
