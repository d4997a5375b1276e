package io.execgate.executor.launcher;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test cases of a judged run, as {@link ProgramOutput} reads them: the case each stream is in (a
 * stream may run ahead of the other), each case's text and caps until both of its streams carried
 * its {@code test} record, and then its {@link ProgramOutput.TestEnd}. A {@code test} record is the
 * launcher's only when it names the case its stream is in.
 */
final class JudgedTests {

  /** Test cases of the run, or 0. */
  private final int tests;
  private final ProgramOutput.Listener listener;
  /** The test case each stream is in. */
  private int stdoutTest;
  private int stderrTest;
  /** Test cases one stream has ended and the other not yet: their text and record so far. */
  private final Map<Integer, PendingTest> pending = new HashMap<>();

  JudgedTests(int tests, ProgramOutput.Listener listener) {
    this.tests = tests;
    this.listener = listener;
  }

  /** @return whether the run is judged (has test cases) */
  boolean any() {
    return tests > 0;
  }

  /** @return whether the stream is past every test case's record (always, for a run without any) */
  boolean allEnded(boolean isStderr) {
    return current(isStderr) >= tests;
  }

  /** @return test cases that ended on both streams */
  int ended() {
    return Math.min(stdoutTest, stderrTest);
  }

  private int current(boolean isStderr) {
    return isStderr ? stderrTest : stdoutTest;
  }

  /** Text of the run step: the current test case's, on that stream. */
  void text(boolean isStderr, String text) {
    int test = current(isStderr);
    if (test < tests) {
      PendingTest p = pending.computeIfAbsent(test, k -> new PendingTest());
      (isStderr ? p.stderr : p.stdout).append(text);
      listener.testText(test, isStderr, text);
    }
  }

  /** The stream passed the current test case's cap. */
  void truncated(boolean isStderr, long keptBytes) {
    int test = current(isStderr);
    if (test < tests) {
      PendingTest p = pending.computeIfAbsent(test, k -> new PendingTest());
      if (isStderr) {
        p.stderrTruncated = true;
      } else {
        p.stdoutTruncated = true;
      }
      listener.testTruncated(test, isStderr, keptBytes);
    }
  }

  /**
   * A {@code test:<index>:<code>:<cpuMs>:<memPeak>:<oomKills>:<timedOut>} record on a stream.
   *
   * @param stream the stream's demultiplexer, whose cap restarts for the next test case
   * @return whether the record is the launcher's (it names the test case the stream is in)
   */
  boolean record(List<String> fields, boolean isStderr, StreamDemux stream) {
    int test = current(isStderr);
    Long index = ProgramOutput.parseLong(fields, 1);
    if (index == null || index != test || test >= tests) {
      return false;
    }
    PendingTest p = pending.computeIfAbsent(test, k -> new PendingTest());
    if (isStderr) {
      stderrTest++;
    } else {
      stdoutTest++;
    }
    stream.nextTest();
    if (p.fields == null) {
      p.fields = fields;
    }
    if (stdoutTest > test && stderrTest > test) {
      pending.remove(test);
      Long code = ProgramOutput.parseLong(p.fields, 2);
      listener.testEnded(test, new ProgramOutput.TestEnd(code == null ? -1 : (int) (long) code,
        ProgramOutput.parseLong(p.fields, 3), ProgramOutput.parseLong(p.fields, 4),
        ProgramOutput.parseLong(p.fields, 5), "1".equals(p.fields.size() > 6 ? p.fields.get(6) : ""),
        p.stdout.toString(), p.stderr.toString(), p.stdoutTruncated, p.stderrTruncated));
    }
    return true;
  }

  /** One test case's output while one of its streams has not ended. */
  private static final class PendingTest {
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private boolean stdoutTruncated;
    private boolean stderrTruncated;
    private List<String> fields;
  }
}
