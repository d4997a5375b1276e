package io.execgate.judge;

import io.execgate.model.CompareMode;
import io.execgate.model.TestResult;
import io.execgate.model.Verdict;

import java.util.List;

/**
 * Chooses verdicts: one test's from what ended it, and the whole execution's from its tests'.
 */
public final class Verdicts {

  private Verdicts() {
  }

  /**
   * A test's verdict. What stopped the test wins over how it exited: the output cap first (the
   * gateway stops a test that passed it, so its exit is that stop's), then its deadline, then the
   * OOM killer; then a non-zero exit or a signal; then the comparison.
   *
   * @param outputLimit    whether stdout or stderr passed the cap
   * @param timedOut       whether the test passed its deadline and was killed
   * @param oomKills       processes the OOM killer killed during the test, or {@code null} when unknown
   * @param exitCode       the exit code (128 + n for death by signal n)
   * @param expectedStdout the expectation, or {@code null} for none
   * @param stdout         the test's whole stdout (up to the cap)
   */
  public static Verdict of(boolean outputLimit, boolean timedOut, Long oomKills, int exitCode, CompareMode compare,
                           String expectedStdout, String stdout) {
    if (outputLimit) {
      return Verdict.OUTPUT_LIMIT;
    }
    if (timedOut) {
      return Verdict.TIME_LIMIT;
    }
    if (oomKills != null && oomKills > 0) {
      return Verdict.MEMORY_LIMIT;
    }
    if (exitCode != 0) {
      return Verdict.RUNTIME_ERROR;
    }
    if (expectedStdout == null || OutputComparison.matches(compare, expectedStdout, stdout)) {
      return Verdict.ACCEPTED;
    }
    return Verdict.WRONG_ANSWER;
  }

  /**
   * @param compileFailed whether the compile step failed (then no test ran)
   * @return the execution's verdict: {@code compile_error}, else the first test verdict that is not
   *   {@code accepted} (a {@code skipped} test counts only when no test failed), else {@code accepted}
   */
  public static Verdict overall(boolean compileFailed, List<TestResult> tests) {
    if (compileFailed) {
      return Verdict.COMPILE_ERROR;
    }
    Verdict skipped = null;
    for (TestResult t : tests) {
      if (t.verdict() == Verdict.SKIPPED) {
        skipped = skipped == null ? Verdict.SKIPPED : skipped;
      } else if (t.verdict() != Verdict.ACCEPTED) {
        return t.verdict();
      }
    }
    return skipped != null ? skipped : Verdict.ACCEPTED;
  }
}
