package io.execgate.executor.launcher;

import io.execgate.docker.OutputChunk;
import io.execgate.model.Frame;
import io.execgate.model.OutputFiles;
import io.execgate.model.Usage;
import io.execgate.store.OutputPart;
import io.execgate.store.RecordOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What a sandbox wrote: the program's text on each stream (capped, decoded), and the launcher's
 * records (compile step ended, program ended with its exit code and usage). With a compile step,
 * the text a stream carries before its compile record is the compile step's; each step gets the
 * whole per-stream cap, and a stream never keeps more than the two caps together.
 * <p>
 * The nonce is out of the program's reach ({@link JobScript#COMMAND}); still, a record is taken as
 * the launcher's only where the launcher writes one, and anywhere else its bytes are program text:
 * <ul>
 *   <li>{@code compile}: only in a runtime with a compile step, at most once per stream, and only
 *   while that stream still carries the compile step's text (so before any run output);</li>
 *   <li>{@code exit}: once per stream, after that stream's compile record when there is a compile
 *   step; it closes the stream, and the first one gives the exit code;</li>
 *   <li>{@code files}: on stdout only, once, after the compile step, before the exit record: what
 *   follows is the tar stream of the program's {@code out/} directory, read by an
 *   {@link OutputFilesReader} until {@code files-end} (or the exit record, or the stream's end);</li>
 *   <li>anything else is text.</li>
 * </ul>
 */
public final class ProgramOutput {

  /** What the output tells, in stream order. */
  public interface Listener {

    /**
     * @param stage {@link Frame#COMPILE_STAGE} for the compile step's text, {@code null} for the run's
     */
    void text(boolean stderr, String stage, String text);

    /** A stream passed its cap. */
    void truncated(boolean stderr, String stage, long keptBytes);

    /** The compile step ended with {@code exitCode}. */
    void compiled(int exitCode);

    /**
     * Both streams passed their compile records: all of the compile step's output was handed to
     * {@link #text}, and what follows is the run step's.
     */
    default void compileOutputEnded(int exitCode) {
    }

    /** Both streams carried the end record: the program ended and all its output is in. */
    void ended();

    /** Text of test case {@code test} of a judged run (its output is never given to {@link #text}). */
    default void testText(int test, boolean stderr, String text) {
    }

    /** A stream of test case {@code test} passed its cap. */
    default void testTruncated(int test, boolean stderr, long keptBytes) {
    }

    /** Test case {@code test} ended on both streams: all its output is in. */
    default void testEnded(int test, TestEnd end) {
    }
  }

  /**
   * How one test case of a judged run ended, from its {@code test} record and its output.
   *
   * @param exitCode        the exit code (128 + n for death by signal n)
   * @param cpuMs           the test's CPU time, or {@code null}
   * @param memoryPeakBytes the sandbox's memory peak so far, or {@code null}
   * @param oomKills        processes the OOM killer killed during the test, or {@code null}
   * @param timedOut        whether the launcher killed it at its deadline
   * @param stdout          its whole stdout, up to the cap
   * @param stderr          its whole stderr, up to the cap
   * @param stdoutTruncated whether stdout passed the cap
   * @param stderrTruncated whether stderr passed the cap
   */
  public record TestEnd(int exitCode, Long cpuMs, Long memoryPeakBytes, Long oomKills, boolean timedOut, String stdout,
                        String stderr, boolean stdoutTruncated, boolean stderrTruncated) {
  }

  private static final Logger log = LoggerFactory.getLogger(ProgramOutput.class);

  private final String executionId;
  private final Listener listener;
  private final StreamDemux stdout;
  private final StreamDemux stderr;
  /** What the record keeps of each text (bounded, charged to the node's budget). */
  private final RecordOutput record;
  private final boolean compiles;
  private boolean stdoutCompiling;
  private boolean stderrCompiling;
  private boolean compileStdoutTruncated;
  private boolean compileStderrTruncated;
  private boolean stdoutEnded;
  private boolean stderrEnded;
  private Integer exitCode;
  private Integer compileExitCode;
  private Usage usage = Usage.UNKNOWN;
  private Long oomKills;
  private Usage compileUsage = Usage.UNKNOWN;
  /** The test cases of a judged run (none for a plain run). */
  private final JudgedTests judged;
  /** The cap on the files' bytes, 0 when the job asks for none. */
  private final long filesLimit;
  private OutputFilesReader filesReader;
  private OutputFiles files;

  /**
   * @param compiles whether the job has a compile step, whose output comes first
   */
  public ProgramOutput(String executionId, String nonce, long limitBytes, boolean compiles, Listener listener) {
    this(executionId, nonce, limitBytes, compiles, RecordOutput.unbounded(), listener);
  }

  /**
   * @param record what keeps the texts for the record
   */
  public ProgramOutput(String executionId, String nonce, long limitBytes, boolean compiles, RecordOutput record,
                Listener listener) {
    this(executionId, nonce, limitBytes, compiles, 0, 0, record, listener);
  }

  /**
   * @param tests      the test cases of a judged run (each is a step with its own cap), or 0
   * @param filesLimit the cap on the bytes of the files returned from {@code out/}
   * @param record     what keeps the texts for the record
   */
  public ProgramOutput(String executionId, String nonce, long limitBytes, boolean compiles, int tests,
                       long filesLimit, RecordOutput record, Listener listener) {
    this.judged = new JudgedTests(tests, listener);
    this.filesLimit = filesLimit;
    this.executionId = executionId;
    this.record = record;
    this.listener = listener;
    this.compiles = compiles;
    this.stdoutCompiling = compiles;
    this.stderrCompiling = compiles;
    byte[] prefix = JobScript.markerPrefix(nonce);
    // each step gets the whole cap, and nothing in the output resets the total
    long total = tests > 0 ? Long.MAX_VALUE : compiles ? 2 * limitBytes : limitBytes;
    this.stdout = new StreamDemux(prefix, limitBytes, total, new Sink(false));
    this.stderr = new StreamDemux(prefix, limitBytes, total, new Sink(true));
  }

  public void accept(OutputChunk chunk) {
    (chunk.stderr() ? stderr : stdout).feed(chunk.bytes());
  }

  /**
   * The output stream ended (the container is gone).
   */
  public void end() {
    stdout.end();
    stderr.end();
    endFiles(false);
  }

  /**
   * @return the files the program left in {@code out/}, or {@code null} when the launcher sent none
   *   (no {@code out/} directory, or the program did not end)
   */
  public OutputFiles files() {
    return files;
  }

  /**
   * @return the program's exit code from the end record, or {@code null} when none arrived
   */
  public Integer exitCode() {
    return exitCode;
  }

  /**
   * @return the compile step's exit code, or {@code null} when it did not end (or there is none)
   */
  public Integer compileExitCode() {
    return compileExitCode;
  }

  /**
   * @return the sandbox's usage when the program ended
   */
  public Usage usage() {
    return usage;
  }

  /**
   * @return processes the memory limit killed, as the sandbox's cgroup counted them at the end, or
   *   {@code null} when unknown
   */
  public Long oomKills() {
    return oomKills;
  }

  /**
   * @return the sandbox's usage when the compile step ended
   */
  public Usage compileUsage() {
    return compileUsage;
  }

  /**
   * @return what the record keeps of the texts
   */
  public RecordOutput record() {
    return record;
  }

  public String stdoutText() {
    return record.text(OutputPart.STDOUT);
  }

  public String stderrText() {
    return record.text(OutputPart.STDERR);
  }

  public boolean stdoutTruncated() {
    return stdout.isTruncated() && !compileStdoutTruncated;
  }

  public boolean stderrTruncated() {
    return stderr.isTruncated() && !compileStderrTruncated;
  }

  public String compileStdoutText() {
    return record.text(OutputPart.COMPILE_STDOUT);
  }

  public String compileStderrText() {
    return record.text(OutputPart.COMPILE_STDERR);
  }

  public boolean compileStdoutTruncated() {
    return compileStdoutTruncated;
  }

  public boolean compileStderrTruncated() {
    return compileStderrTruncated;
  }

  private final class Sink implements StreamDemux.Sink {

    private final boolean isStderr;

    Sink(boolean isStderr) {
      this.isStderr = isStderr;
    }

    private boolean compiling() {
      return isStderr ? stderrCompiling : stdoutCompiling;
    }

    @Override
    public void text(String text) {
      boolean compiling = compiling();
      if (judged.any() && !compiling) {
        judged.text(isStderr, text);
        return;
      }
      record.append(OutputPart.of(isStderr, compiling), text);
      listener.text(isStderr, compiling ? Frame.COMPILE_STAGE : null, text);
    }

    @Override
    public void bytes(byte[] buf, int from, int to) {
      if (!isStderr && filesReader != null) {
        filesReader.feed(buf, from, to);
      }
    }

    @Override
    public void truncated(long keptBytes) {
      boolean compiling = compiling();
      if (judged.any() && !compiling) {
        judged.truncated(isStderr, keptBytes);
        return;
      }
      if (compiling && isStderr) {
        compileStderrTruncated = true;
      } else if (compiling) {
        compileStdoutTruncated = true;
      }
      listener.truncated(isStderr, compiling ? Frame.COMPILE_STAGE : null, keptBytes);
    }

    @Override
    public boolean record(List<String> fields) {
      boolean taken = switch (fields.get(0)) {
        case "compile" -> compiles && compiling() && compileRecord(fields, isStderr);
        case "exit" -> !compiling() && judged.allEnded(isStderr) && exitRecord(fields, isStderr);
        case "test" -> judged.any() && !compiling() && judged.record(fields, isStderr, isStderr ? stderr : stdout);
        case "files" -> !isStderr && !compiling() && filesReader == null && files == null && startFiles();
        case "files-end" -> !isStderr && filesReader != null && endFiles(true);
        default -> false;
      };
      if (!taken) {
        log.atWarn().addKeyValue("execution", executionId).log("a launcher record out of place ({}) is taken as "
          + "program output", fields.get(0));
      }
      return taken;
    }
  }

  private boolean compileRecord(List<String> fields, boolean isStderr) {
    if (isStderr) {
      stderrCompiling = false;
      stderr.restartCap();
    } else {
      stdoutCompiling = false;
      stdout.restartCap();
    }
    if (compileExitCode == null) {
      Long code = parseLong(fields, 1);
      compileExitCode = code == null ? -1 : (int) (long) code;
      compileUsage = new Usage(parseLong(fields, 2), parseLong(fields, 3));
      listener.compiled(compileExitCode);
    }
    if (!stdoutCompiling && !stderrCompiling) {
      listener.compileOutputEnded(compileExitCode);
    }
    return true;
  }

  private boolean startFiles() {
    filesReader = new OutputFilesReader(filesLimit, JobScript.filesStreamBytes(filesLimit));
    stdout.binary(true);
    return true;
  }

  /**
   * @param complete whether the launcher said the files were all sent
   */
  private boolean endFiles(boolean complete) {
    if (filesReader != null) {
      files = filesReader.finish(complete);
      filesReader = null;
      stdout.binary(false);
    }
    return true;
  }

  /**
   * @return test cases that ended on both streams
   */
  public int testsEnded() {
    return judged.ended();
  }

  private boolean exitRecord(List<String> fields, boolean isStderr) {
    if (!isStderr) {
      // the launcher ended while it sent the files: what was read whole stays
      endFiles(false);
    }
    if (exitCode == null) {
      Long code = parseLong(fields, 1);
      exitCode = code == null ? -1 : (int) (long) code;
      usage = new Usage(parseLong(fields, 2), parseLong(fields, 3));
      oomKills = parseLong(fields, 4);
    }
    if (isStderr) {
      stderrEnded = true;
      stderr.close();
    } else {
      stdoutEnded = true;
      stdout.close();
    }
    if (stdoutEnded && stderrEnded) {
      listener.ended();
    }
    return true;
  }

  static Long parseLong(List<String> fields, int i) {
    try {
      return i < fields.size() && !fields.get(i).isEmpty() ? Long.parseLong(fields.get(i)) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
