package io.execgate.http;

import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BinaryFramesTest {

  @Test
  void anOutputFrameIsTheDocumentedHeaderThenItsUtf8Bytes() {
    Frame f = Frame.output(0x0102030405L, 0xFFFF_FFF0L, true, "é\u0000x").inStage(Frame.COMPILE_STAGE).ofTest(7);
    assertThat(BinaryFrames.carries(f)).isTrue();
    Buffer b = BinaryFrames.encode(f);
    assertThat(b.getBytes(0, 4)).containsExactly(1, 2, 1, 0);
    assertThat(b.getLong(4)).isEqualTo(0x0102030405L);
    assertThat(Integer.toUnsignedLong(b.getInt(12))).isEqualTo(0xFFFF_FFF0L);
    assertThat(b.getInt(16)).isEqualTo(7);
    assertThat(b.getBytes(20, b.length())).isEqualTo("é\u0000x".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRunStepStdoutFrameOfNoTestHasStreamOneStageZeroTestMinusOne() {
    Buffer b = BinaryFrames.encode(Frame.output(3, 9, false, ""));
    assertThat(b.length()).isEqualTo(BinaryFrames.HEADER_BYTES);
    assertThat(b.getBytes(0, 4)).containsExactly(1, 1, 0, 0);
    assertThat(b.getInt(16)).isEqualTo(-1);
  }

  @Test
  void controlFramesStayJson() {
    assertThat(BinaryFrames.carries(Frame.status(1, 0, ExecutionStatus.RUNNING))).isFalse();
    assertThat(BinaryFrames.carries(Frame.truncated(2, 0, false, 10))).isFalse();
    assertThat(BinaryFrames.carries(Frame.error(-1, 0, "x", "y"))).isFalse();
  }
}
