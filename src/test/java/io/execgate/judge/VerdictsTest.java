package io.execgate.judge;

import io.execgate.model.CompareMode;
import io.execgate.model.TestResult;
import io.execgate.model.Usage;
import io.execgate.model.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictsTest {

  private static final CompareMode TRIM = CompareMode.TRIM;

  @Test
  void whatStoppedATestWinsOverHowItExited() {
    assertThat(Verdicts.of(true, true, 1L, 137, TRIM, "x", "x")).isEqualTo(Verdict.OUTPUT_LIMIT);
    assertThat(Verdicts.of(false, true, 1L, 137, TRIM, "x", "x")).isEqualTo(Verdict.TIME_LIMIT);
    assertThat(Verdicts.of(false, false, 1L, 137, TRIM, "x", "x")).isEqualTo(Verdict.MEMORY_LIMIT);
    // an OOM kill of a child the test survived still is the memory limit
    assertThat(Verdicts.of(false, false, 1L, 0, TRIM, "x", "x")).isEqualTo(Verdict.MEMORY_LIMIT);
    assertThat(Verdicts.of(false, false, 0L, 139, TRIM, "x", "x")).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(Verdicts.of(false, false, null, 3, TRIM, null, "")).isEqualTo(Verdict.RUNTIME_ERROR);
  }

  @Test
  void anExitZeroIsComparedWhenThereIsAnExpectation() {
    assertThat(Verdicts.of(false, false, 0L, 0, TRIM, "3", "3\n")).isEqualTo(Verdict.ACCEPTED);
    assertThat(Verdicts.of(false, false, 0L, 0, TRIM, "3", "4\n")).isEqualTo(Verdict.WRONG_ANSWER);
    assertThat(Verdicts.of(false, false, 0L, 0, CompareMode.EXACT, "3", "3\n")).isEqualTo(Verdict.WRONG_ANSWER);
    assertThat(Verdicts.of(false, false, null, 0, TRIM, null, "anything")).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void theExecutionsVerdictIsTheFirstThatIsNotAccepted() {
    assertThat(Verdicts.overall(false, List.of(t(Verdict.ACCEPTED), t(Verdict.TIME_LIMIT), t(Verdict.WRONG_ANSWER))))
      .isEqualTo(Verdict.TIME_LIMIT);
    assertThat(Verdicts.overall(false, List.of(t(Verdict.ACCEPTED), t(Verdict.ACCEPTED)))).isEqualTo(Verdict.ACCEPTED);
    assertThat(Verdicts.overall(false, List.of(t(Verdict.ACCEPTED), t(Verdict.SKIPPED), t(Verdict.RUNTIME_ERROR))))
      .isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(Verdicts.overall(false, List.of(t(Verdict.ACCEPTED), t(Verdict.SKIPPED)))).isEqualTo(Verdict.SKIPPED);
    assertThat(Verdicts.overall(true, List.of(t(Verdict.SKIPPED)))).isEqualTo(Verdict.COMPILE_ERROR);
  }

  private static TestResult t(Verdict v) {
    return new TestResult(null, v, 0, null, "", "", false, false, 1L, Usage.UNKNOWN, 0, 0);
  }
}
