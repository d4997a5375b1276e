package io.execgate.model;

import java.util.Locale;

/**
 * The verdict on one test case of a judged execution, or on the whole execution.
 */
public enum Verdict {
  /** Exit 0, and stdout as expected (when an expectation was given). */
  ACCEPTED,
  /** Exit 0, but stdout differs from {@code expectedStdout}. */
  WRONG_ANSWER,
  /** The test passed its deadline and was killed. */
  TIME_LIMIT,
  /** The kernel's OOM killer killed a process of the test (the container's memory limit). */
  MEMORY_LIMIT,
  /** A non-zero exit, or death by a signal. */
  RUNTIME_ERROR,
  /** stdout or stderr passed the per-stream cap; the test was stopped. */
  OUTPUT_LIMIT,
  /** Not run: an earlier test failed with {@code stopOnFailure}, or the run ended before it. */
  SKIPPED,
  /** The whole execution's only: the compile step failed and no test ran. */
  COMPILE_ERROR;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Verdict of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
