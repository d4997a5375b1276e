package io.execgate.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The judge's shapes survive their JSON: a job's tests (it travels to cluster workers as JSON), a
 * result's verdicts (the record store keeps JSON) and the frames that carry a test's index and verdict.
 */
class JudgeJsonTest {

  private static final TestSuite SUITE = new TestSuite(List.of(
    new TestCase("one", "1 2\n", List.of("a b"), "3", 500L),
    new TestCase(null, null, List.of(), null, null)), CompareMode.TOKENS, true);

  private static final TestResult ONE = new TestResult("one", Verdict.WRONG_ANSWER, 0, null, "4\n", "", false, false,
    12L, new Usage(3L, 1000L), 5, 0);

  @Test
  void aJobKeepsItsTests() {
    RuntimeSpec c = new RuntimeSpec("c", List.of(), "12", "img", "main.c", "cc {file}", "/tmp/main", 4000, true);
    ExecutionJob job = new ExecutionJob("id", 1, c, "img", List.of(new SourceFile("main.c", new byte[]{1})), null,
      List.of(), Map.of(), ResourceLimits.DEFAULTS, false, "key", SUITE);
    assertThat(ExecutionJob.fromJson(job.toJson())).isEqualTo(job);
    assertThat(ExecutionJob.fromJson(job.withOwner("other").toJson()).tests()).isEqualTo(SUITE);
  }

  @Test
  void aResultKeepsItsVerdictsAndTheExitFrameDropsTheirOutput() {
    JudgeReport report = new JudgeReport(Verdict.WRONG_ANSWER, 0, 2, List.of(ONE, TestResult.skipped(null)));
    ExecutionResult r = new ExecutionResult("id", ExecutionStatus.FAILED, null, null, "", "", false, false, "img", "c",
      10L, 1L, Usage.UNKNOWN, "test 0 (one): wrong_answer", 1, null, null, "key", OutputRetention.COMPLETE, report, null);
    assertThat(ExecutionResult.fromJson(r.toJson())).isEqualTo(r);
    assertThat(r.toJson().getString("verdict")).isEqualTo("wrong_answer");
    assertThat(r.toJson().getInteger("total")).isEqualTo(2);
    Frame exit = Frame.exit(9, 10, r);
    assertThat(exit.toJson().getJsonArray("tests").getJsonObject(0).containsKey("stdout")).isFalse();
    assertThat(Frame.fromJson(exit.toJson()).result().judge().tests().get(0).verdict()).isEqualTo(Verdict.WRONG_ANSWER);
    // a result without tests has none of the fields
    assertThat(r.withJudge(null).toJson().containsKey("verdict")).isFalse();
    assertThat(r.withJudge(null).toJson().containsKey("tests")).isFalse();
  }

  @Test
  void testFramesCarryTheIndexAndTheVerdictWithoutOutput() {
    Frame test = Frame.test(4, 20, 0, ONE);
    assertThat(test.toJson().getString("type")).isEqualTo("test");
    assertThat(test.toJson().getInteger("test")).isZero();
    assertThat(test.toJson().getString("verdict")).isEqualTo("wrong_answer");
    assertThat(test.toJson().containsKey("stdout")).isFalse();
    assertThat(Frame.fromJson(test.toJson())).isEqualTo(test);
    Frame out = Frame.output(5, 21, true, "err").ofTest(3);
    assertThat(out.toJson().getInteger("test")).isEqualTo(3);
    assertThat(Frame.fromJson(out.toJson())).isEqualTo(out);
    assertThat(Frame.output(6, 22, false, "x").toJson().containsKey("test")).isFalse();
  }
}
