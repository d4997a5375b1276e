package io.execgate.executor;

import io.execgate.docker.OutputChunk;
import io.execgate.executor.launcher.ProgramOutput;
import io.execgate.store.RecordOutput;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code test} records of a judged run: each closes one test's output on its stream, a test ends
 * once both streams closed it, each test has its own cap, and a record out of place is text.
 */
class ProgramOutputTestsTest {

  private static final String NONCE = "beef";

  private final List<String> events = new ArrayList<>();
  private boolean ended;

  private ProgramOutput output(int tests, long cap) {
    return new ProgramOutput("id", NONCE, cap, true, tests, 0, RecordOutput.unbounded(), new ProgramOutput.Listener() {
      @Override
      public void text(boolean stderr, String stage, String text) {
        events.add(stage + (stderr ? ".err:" : ".out:") + text);
      }

      @Override
      public void truncated(boolean stderr, String stage, long keptBytes) {
        events.add(stage + " truncated");
      }

      @Override
      public void compiled(int exitCode) {
        events.add("compiled " + exitCode);
      }

      @Override
      public void ended() {
        ended = true;
      }

      @Override
      public void testText(int test, boolean stderr, String text) {
        events.add(test + (stderr ? ".err:" : ".out:") + text);
      }

      @Override
      public void testTruncated(int test, boolean stderr, long keptBytes) {
        events.add(test + (stderr ? ".err" : ".out") + " truncated at " + keptBytes);
      }

      @Override
      public void testEnded(int test, ProgramOutput.TestEnd end) {
        events.add(test + " ended " + end);
      }
    });
  }

  private static void feed(ProgramOutput out, boolean stderr, String text) {
    out.accept(new OutputChunk(stderr, text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String record(String body) {
    return "\u001eEXECGATE:" + NONCE + ":" + body + "\u001e";
  }

  @Test
  void eachTestEndsWhenBothStreamsClosedIt() {
    ProgramOutput out = output(2, 100);
    feed(out, false, "cc ok" + record("compile:0:5:100"));
    feed(out, true, record("compile:0:5:100"));
    feed(out, false, "3\n" + record("test:0:0:2:200:0:") + "4\n");
    // stdout is already in test 1 while stderr is still in test 0
    feed(out, true, "warn" + record("test:0:0:2:200:0:"));
    feed(out, true, record("test:1:137:9:300:1:1"));
    feed(out, false, record("test:1:137:9:300:1:1") + record("exit:0:20:300:1"));
    feed(out, true, record("exit:0:20:300:1"));
    assertThat(events).containsExactly("compile.out:cc ok", "compiled 0", "0.out:3\n", "1.out:4\n", "0.err:warn",
      "0 ended TestEnd[exitCode=0, cpuMs=2, memoryPeakBytes=200, oomKills=0, timedOut=false, stdout=3\n, stderr=warn, "
        + "stdoutTruncated=false, stderrTruncated=false]",
      "1 ended TestEnd[exitCode=137, cpuMs=9, memoryPeakBytes=300, oomKills=1, timedOut=true, stdout=4\n, stderr=, "
        + "stdoutTruncated=false, stderrTruncated=false]");
    assertThat(ended).isTrue();
    assertThat(out.exitCode()).isZero();
    assertThat(out.testsEnded()).isEqualTo(2);
  }

  @Test
  void eachTestHasItsOwnCapEvenAfterAnEarlierTestPassedIt() {
    ProgramOutput out = output(2, 4);
    feed(out, false, record("compile:0:1:1"));
    feed(out, true, record("compile:0:1:1"));
    feed(out, false, "abcdefgh" + record("test:0:0:1:1:0:") + "xyz" + record("test:1:0:1:1:0:"));
    feed(out, true, record("test:0:0:1:1:0:") + record("test:1:0:1:1:0:"));
    assertThat(events).contains("0.out:abcd", "0.out truncated at 4", "1.out:xyz");
    assertThat(events.stream().filter(e -> e.startsWith("0 ended")).findFirst().orElseThrow())
      .contains("stdout=abcd,", "stdoutTruncated=true");
    assertThat(events.stream().filter(e -> e.startsWith("1 ended")).findFirst().orElseThrow())
      .contains("stdout=xyz,", "stdoutTruncated=false");
  }

  @Test
  void recordsOutOfPlaceAreTheTestsText() {
    ProgramOutput out = output(2, 100);
    feed(out, false, record("compile:0:1:1"));
    feed(out, true, record("compile:0:1:1"));
    // a test record for another test, an exit before the last test: text of test 0
    feed(out, false, record("test:1:0:1:1:0:") + record("exit:0:1:1:0"));
    assertThat(events).containsExactly("compiled 0", "0.out:" + record("test:1:0:1:1:0:"),
      "0.out:" + record("exit:0:1:1:0"));
    assertThat(ended).isFalse();
    assertThat(out.testsEnded()).isZero();
  }
}
