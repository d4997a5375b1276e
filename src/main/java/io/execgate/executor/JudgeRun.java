package io.execgate.executor;

import io.execgate.executor.launcher.ProgramOutput;
import io.execgate.executor.launcher.Signals;
import io.execgate.judge.Verdicts;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.JudgeReport;
import io.execgate.model.TestCase;
import io.execgate.model.TestResult;
import io.execgate.model.TestSuite;
import io.execgate.model.Usage;
import io.execgate.model.Verdict;
import io.execgate.stream.FrameLog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The test cases of one judged execution while it runs: each test's verdict is decided as soon as
 * its output is in, told in a {@code test} frame, and kept for the result. Lives on its run's
 * context, like the {@link ExecutionRun} that owns it.
 * <p>
 * The record keeps each test's output up to {@code maxStreamBytes / tests} bytes per stream (at
 * least 4 KiB), so that a hundred tests never hold more than one stream's retention; the comparison
 * always sees the whole output up to the cap.
 */
final class JudgeRun {

  /** Time added to the sum of the tests' deadlines for each test's start and records. */
  static final long PER_TEST_SLACK_MS = 250;
  private static final int MIN_KEPT_BYTES = 4096;

  private final ExecutionJob job;
  private final TestSuite suite;
  private final FrameLog frames;
  private final IntConsumer stop;
  private final Runnable halt;
  private final long keptBytes;
  private final long maxTimeoutMs;
  private final TestResult[] results;
  private final boolean[] outputLimit;
  private long testStartNanos;
  private boolean halted;

  /**
   * @param stop          stops a test whose output passed the cap
   * @param halt          ends the run (after a failure, with {@code stopOnFailure})
   * @param retainedBytes the record's bound on one stream ({@code outputRetention.maxStreamBytes})
   */
  JudgeRun(ExecutionJob job, FrameLog frames, IntConsumer stop, Runnable halt, long retainedBytes, long maxTimeoutMs) {
    this.job = job;
    this.maxTimeoutMs = maxTimeoutMs;
    this.suite = job.tests();
    this.frames = frames;
    this.stop = stop;
    this.halt = halt;
    int n = suite.tests().size();
    this.keptBytes = Math.min(job.limits().outputBytes(), Math.max(MIN_KEPT_BYTES, retainedBytes / n));
    this.results = new TestResult[n];
    this.outputLimit = new boolean[n];
  }

  /**
   * The deadline of the run step: the sum of the tests' deadlines with a little slack for each, at
   * most {@code maxMs} (the operator's maximum {@code timeoutMs}, which the sweeper also assumes).
   */
  static long suiteDeadlineMs(ExecutionJob job, long maxMs) {
    long sum = 0;
    for (TestCase t : job.tests().tests()) {
      sum += (t.timeoutMs() != null ? t.timeoutMs() : job.limits().timeoutMs()) + PER_TEST_SLACK_MS;
    }
    return Math.min(sum, maxMs);
  }

  /** The run step starts (after the compile step, or at once). */
  void started() {
    testStartNanos = System.nanoTime();
  }

  /** @return whether the run was ended on purpose after a failure ({@code stopOnFailure}) */
  boolean halted() {
    return halted;
  }

  void text(int test, boolean stderr, String text) {
    if (!halted) {
      frames.testOutput(test, stderr, text);
    }
  }

  void truncated(int test, boolean stderr, long kept) {
    if (!halted) {
      frames.testTruncated(test, stderr, kept);
    }
    if (!outputLimit[test]) {
      outputLimit[test] = true;
      stop.accept(test);
    }
  }

  void ended(int test, ProgramOutput.TestEnd end) {
    long now = System.nanoTime();
    long durationMs = Math.max(0, (now - testStartNanos) / 1_000_000);
    testStartNanos = now;
    if (halted) {
      return;
    }
    TestCase t = suite.tests().get(test);
    Verdict verdict = Verdicts.of(outputLimit[test] || end.stdoutTruncated() || end.stderrTruncated(), end.timedOut(),
      end.oomKills(), end.exitCode(), suite.compare(), t.expectedStdout(), end.stdout());
    String stdout = kept(end.stdout());
    String stderr = kept(end.stderr());
    TestResult result = new TestResult(t.name(), verdict, end.exitCode(), Signals.fromExitCode(end.exitCode()), stdout,
      stderr, end.stdoutTruncated(), end.stderrTruncated(), durationMs, new Usage(end.cpuMs(), end.memoryPeakBytes()),
      utf8(end.stdout()) - utf8(stdout), utf8(end.stderr()) - utf8(stderr));
    results[test] = result;
    frames.test(test, result);
    if (suite.stopOnFailure() && verdict != Verdict.ACCEPTED) {
      halted = true;
      halt.run();
    }
  }

  private String kept(String text) {
    if (utf8(text) <= keptBytes) {
      return text;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int end = (int) keptBytes;
    // never cut a character: back off to its first byte
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * The result with its tests' verdicts. A run that went through all its tests (or was ended on
   * purpose by {@code stopOnFailure}) is {@code succeeded} when every test was accepted and
   * {@code failed} otherwise, with the first failing test in its message; any other end (the
   * suite's deadline, a cancel, an engine failure) keeps its status, the test it cut is
   * {@code time_limit} at a deadline, and the tests that did not run are {@code skipped}.
   *
   * @param out the sandbox's output, or {@code null} when it was never attached
   */
  ExecutionResult apply(ExecutionResult r, ProgramOutput out) {
    boolean compileFailed = out != null && out.compileExitCode() != null && out.compileExitCode() != 0;
    boolean completed = out != null && (out.exitCode() != null && out.exitCode() == 0 || halted)
      && !compileFailed && (r.status() == ExecutionStatus.SUCCEEDED || r.status() == ExecutionStatus.FAILED
      || r.status() == ExecutionStatus.OOM_KILLED);
    List<TestResult> tests = new ArrayList<>(results.length);
    boolean cutOne = false;
    for (int i = 0; i < results.length; i++) {
      TestResult t = results[i];
      if (t == null) {
        String name = suite.tests().get(i).name();
        // the suite's deadline cut the test that was running (once the run step had begun)
        boolean cut = !cutOne && !compileFailed && r.status() == ExecutionStatus.TIMEOUT && out != null
          && (job.runtime().compile() == null || out.compileExitCode() != null);
        t = cut ? new TestResult(name, Verdict.TIME_LIMIT, null, null, "", "", false, false, null, Usage.UNKNOWN, 0, 0)
          : TestResult.skipped(name);
        cutOne |= cut;
      }
      tests.add(t);
    }
    Verdict verdict = Verdicts.overall(compileFailed, tests);
    int passed = (int) tests.stream().filter(t -> t.verdict() == Verdict.ACCEPTED).count();
    JudgeReport report = new JudgeReport(verdict, passed, tests.size(), tests);
    if (!completed && cutOne) {
      return new ExecutionResult(r.id(), r.status(), r.exitCode(), r.signal(), r.stdout(), r.stderr(),
        r.stdoutTruncated(), r.stderrTruncated(), r.image(), r.language(), r.durationMs(), r.queuedMs(), r.usage(),
        "the tests passed the run's deadline of " + suiteDeadlineMs(job, maxTimeoutMs) + " ms (the sum of their "
          + "deadlines, at most the maximum timeoutMs) and were stopped", r.submittedAt(), r.compile(), r.worker(),
        r.owner(), r.retention(), report, r.files());
    }
    if (!completed) {
      return r.withJudge(report);
    }
    ExecutionStatus status = verdict == Verdict.ACCEPTED ? ExecutionStatus.SUCCEEDED : ExecutionStatus.FAILED;
    String message = null;
    if (verdict != Verdict.ACCEPTED) {
      int first = 0;
      while (first < tests.size() && tests.get(first).verdict() != verdict) {
        first++;
      }
      String name = tests.get(first).name();
      message = "test " + first + (name == null ? "" : " (" + name + ")") + ": " + verdict.id() + "; " + passed + " of "
        + tests.size() + " tests passed" + (halted ? " (stopOnFailure: the rest were skipped)" : "");
    }
    return new ExecutionResult(r.id(), status, null, null, r.stdout(), r.stderr(), false, false, r.image(),
      r.language(), r.durationMs(), r.queuedMs(), r.usage(), message, r.submittedAt(), r.compile(), r.worker(),
      r.owner(), r.retention(), report, r.files());
  }
}
