package io.execgate.executor;

import io.execgate.docker.AttachedOutput;
import io.execgate.executor.launcher.ProgramOutput;
import io.execgate.model.ExecutionJob;
import io.execgate.store.RecordOutput;
import io.execgate.stream.FrameLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * An execution's output, wired: the sandbox's attached stream read into a {@link ProgramOutput},
 * whose text goes to the frames and whose test cases go to the {@link JudgeRun}; what the run must
 * act on (a cap passed, the compile step ended, the program or the stream ended) goes back to it.
 * Lives on the run's context, like the run.
 */
final class RunOutput implements ProgramOutput.Listener {

  private static final Logger log = LoggerFactory.getLogger(RunOutput.class);

  private final String executionId;
  private final FrameLog frames;
  /** The test cases of a judged run, or {@code null}. */
  private final JudgeRun judge;
  private final Runnable outputLimit;
  private final IntConsumer compiled;
  /** Takes {@code true} when the stream ended (the container is gone), {@code false} on the end record. */
  private final Consumer<Boolean> ended;
  private final ProgramOutput program;
  /** The output stream failed (rather than ended): the engine's trouble, not the program's. */
  private boolean broken;

  /**
   * @param outputLimit called when a stream passed its cap
   * @param compiled    called with the compile step's exit code when it ended
   * @param ended       called when the program ended ({@code false}) or the stream did ({@code true})
   */
  RunOutput(ExecutorContext ec, ExecutionJob job, String owner, String nonce, FrameLog frames, JudgeRun judge,
            Runnable outputLimit, IntConsumer compiled, Consumer<Boolean> ended) {
    this.executionId = job.id();
    this.frames = frames;
    this.judge = judge;
    this.outputLimit = outputLimit;
    this.compiled = compiled;
    this.ended = ended;
    RecordOutput recordOutput = new RecordOutput(ec.options().getExecutor().getOutputRetention().getMaxStreamBytes(),
      ec.budget().open(owner));
    this.program = new ProgramOutput(job.id(), nonce, job.limits().outputBytes(), job.runtime().compile() != null,
      judge == null ? 0 : job.tests().tests().size(), job.limits().outputFilesBytes(), recordOutput, this);
  }

  /**
   * Reads the sandbox's output; a warm container's stream comes paused from the pool, and flows once
   * the handlers are set unless its owner paused it.
   */
  void attach(AttachedOutput output, boolean paused) {
    output.handler(program::accept);
    output.exceptionHandler(err -> {
      broken = true;
      log.atDebug().addKeyValue("execution", executionId).log("output stream failed: {}", err.getMessage());
    });
    output.endHandler(v -> {
      program.end();
      ended.accept(true);
    });
    if (paused) {
      output.pause();
    } else {
      output.resume();
    }
  }

  ProgramOutput program() {
    return program;
  }

  /** @return whether the output stream failed rather than ended */
  boolean broken() {
    return broken;
  }

  @Override
  public void text(boolean stderr, String stage, String text) {
    frames.output(stderr, stage, text);
  }

  @Override
  public void truncated(boolean stderr, String stage, long keptBytes) {
    frames.truncated(stderr, stage, keptBytes);
    outputLimit.run();
  }

  @Override
  public void compiled(int exitCode) {
    compiled.accept(exitCode);
  }

  @Override
  public void compileOutputEnded(int exitCode) {
    frames.compiled(exitCode);
  }

  @Override
  public void ended() {
    ended.accept(false);
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
}
