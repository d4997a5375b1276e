package io.execgate.executor;

import io.execgate.bus.Codecs;
import io.execgate.docker.OutputChunk;
import io.execgate.executor.launcher.ProgramOutput;
import io.execgate.model.CompareMode;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.execgate.model.TestCase;
import io.execgate.model.TestResult;
import io.execgate.model.TestSuite;
import io.execgate.model.Usage;
import io.execgate.model.Verdict;
import io.execgate.store.RecordOutput;
import io.execgate.stream.FrameLog;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A judged run's verdicts from its tests' records, and its final status: every test ran, the run
 * was halted by {@code stopOnFailure}, cut by the suite's deadline, or its compile step failed.
 */
class JudgeRunTest {

  private static final String NONCE = "aa";
  private static final RuntimeSpec C = new RuntimeSpec("c", List.of(), "12", "img", "main.c", "cc {file}",
    "/tmp/main", 4000, true);

  private final Vertx vertx = Vertx.vertx();

  {
    Codecs.registerAll(vertx.eventBus());
  }
  private final List<Integer> stopped = new ArrayList<>();
  private int halts;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static ExecutionJob job(boolean stopOnFailure) {
    TestSuite suite = new TestSuite(List.of(new TestCase("a", "1", List.of(), "1", null),
      new TestCase("b", "2", List.of(), "3", 700L), new TestCase(null, null, List.of(), null, null)),
      CompareMode.TRIM, stopOnFailure);
    return new ExecutionJob("id", 1, C, "img", List.of(new SourceFile("main.c", new byte[0])), null, List.of(),
      Map.of(), new ResourceLimits(3000, 64, 1, 32, 4), false, null, suite);
  }

  private JudgeRun judge(ExecutionJob job) {
    FrameLog frames = new FrameLog(vertx.eventBus(), "out", "replay", 0, 1 << 20);
    return new JudgeRun(job, frames, stopped::add, () -> halts++, 4 << 20, 60_000);
  }

  private static ProgramOutput output(JudgeRun judge) {
    return new ProgramOutput("id", NONCE, 4, true, 3, 0, RecordOutput.unbounded(), new ProgramOutput.Listener() {
      @Override
      public void text(boolean stderr, String stage, String text) {
      }

      @Override
      public void truncated(boolean stderr, String stage, long keptBytes) {
      }

      @Override
      public void compiled(int exitCode) {
        judge.started();
      }

      @Override
      public void ended() {
      }

      @Override
      public void testText(int test, boolean stderr, String text) {
        judge.text(test, stderr, text);
      }

      @Override
      public void testTruncated(int test, boolean stderr, long keptBytes) {
        judge.truncated(test, stderr, keptBytes);
      }

      @Override
      public void testEnded(int test, ProgramOutput.TestEnd end) {
        judge.ended(test, end);
      }
    });
  }

  private static void both(ProgramOutput out, String stdout, String record) {
    out.accept(new OutputChunk(false, (stdout + "\u001eEXECGATE:" + NONCE + ":" + record + "\u001e")
      .getBytes(StandardCharsets.UTF_8)));
    out.accept(new OutputChunk(true, ("\u001eEXECGATE:" + NONCE + ":" + record + "\u001e")
      .getBytes(StandardCharsets.UTF_8)));
  }

  private static ExecutionResult engineResult(ExecutionStatus status) {
    return new ExecutionResult("id", status, 0, null, "", "", false, false, "img", "c", 10L, 1L, Usage.UNKNOWN,
      null, 1, null);
  }

  private static List<Verdict> verdicts(ExecutionResult r) {
    return r.judge().tests().stream().map(TestResult::verdict).toList();
  }

  @Test
  void everyTestRanAndTheFirstFailureNamesTheRun() {
    JudgeRun judge = judge(job(false));
    ProgramOutput out = output(judge);
    both(out, "", "compile:0:1:1");
    both(out, "1\n", "test:0:0:1:1:0:");
    both(out, "2\n", "test:1:0:1:1:0:");
    // past the 4-byte cap: the gateway asks the launcher to stop test 2
    both(out, "flooding", "test:2:137:1:1:0:");
    both(out, "", "exit:0:3:1:0");
    assertThat(stopped).containsExactly(2);
    ExecutionResult r = judge.apply(engineResult(ExecutionStatus.SUCCEEDED), out);
    assertThat(verdicts(r)).containsExactly(Verdict.ACCEPTED, Verdict.WRONG_ANSWER, Verdict.OUTPUT_LIMIT);
    assertThat(r.judge().verdict()).isEqualTo(Verdict.WRONG_ANSWER);
    assertThat(r.judge().passed()).isEqualTo(1);
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.exitCode()).isNull();
    assertThat(r.message()).isEqualTo("test 1 (b): wrong_answer; 1 of 3 tests passed");
    assertThat(r.judge().tests().get(2).stdout()).isEqualTo("floo");
  }

  @Test
  void stopOnFailureHaltsAndSkipsTheRest() {
    JudgeRun judge = judge(job(true));
    ProgramOutput out = output(judge);
    both(out, "", "compile:0:1:1");
    both(out, "1\n", "test:0:0:1:1:0:");
    both(out, "", "test:1:137:1:1:1:");
    // a test that ended while the container was being killed does not count
    both(out, "x", "test:2:0:1:1:0:");
    assertThat(halts).isEqualTo(1);
    ExecutionResult r = judge.apply(engineResult(ExecutionStatus.FAILED), out);
    assertThat(verdicts(r)).containsExactly(Verdict.ACCEPTED, Verdict.MEMORY_LIMIT, Verdict.SKIPPED);
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.message()).contains("memory_limit", "stopOnFailure");
  }

  @Test
  void theSuitesDeadlineCutsTheRunningTestAndSkipsTheRest() {
    assertThat(JudgeRun.suiteDeadlineMs(job(false), 60_000)).isEqualTo(3000 + 700 + 3000 + 3 * JudgeRun.PER_TEST_SLACK_MS);
    assertThat(JudgeRun.suiteDeadlineMs(job(false), 5000)).isEqualTo(5000);
    JudgeRun judge = judge(job(false));
    ProgramOutput out = output(judge);
    both(out, "", "compile:0:1:1");
    both(out, "1\n", "test:0:0:1:1:0:");
    ExecutionResult r = judge.apply(engineResult(ExecutionStatus.TIMEOUT), out);
    assertThat(verdicts(r)).containsExactly(Verdict.ACCEPTED, Verdict.TIME_LIMIT, Verdict.SKIPPED);
    assertThat(r.status()).isEqualTo(ExecutionStatus.TIMEOUT);
    assertThat(r.message()).contains("deadline of 7450 ms");
  }

  @Test
  void aFailedCompileIsACompileErrorWithEveryTestSkipped() {
    JudgeRun judge = judge(job(false));
    ProgramOutput out = output(judge);
    both(out, "", "compile:1:1:1");
    both(out, "", "exit:1:1:1:0");
    ExecutionResult r = judge.apply(engineResult(ExecutionStatus.FAILED), out);
    assertThat(r.judge().verdict()).isEqualTo(Verdict.COMPILE_ERROR);
    assertThat(verdicts(r)).containsOnly(Verdict.SKIPPED);
    assertThat(r.judge().passed()).isZero();
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
  }
}
