package io.execgate.executor;

import io.execgate.docker.ContainerState;
import io.execgate.docker.OutputChunk;
import io.execgate.executor.launcher.ProgramOutput;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a compiled runtime's output splits into its compile and run steps, and the result built from
 * it ({@link RunOutcome}), fed with what a sandbox writes.
 */
class ProgramOutputTest {

  private static final String NONCE = "c0ffee";
  private static final RuntimeSpec C = new RuntimeSpec("c", List.of(), "12", "img", "main.c", "cc {file}",
    "/tmp/main", 4000, true);

  private final List<String> events = new ArrayList<>();
  private final List<Integer> compiled = new ArrayList<>();
  private boolean ended;

  private ProgramOutput output(boolean compiles, long cap) {
    return new ProgramOutput("id", NONCE, cap, compiles, new ProgramOutput.Listener() {
      @Override
      public void text(boolean stderr, String stage, String text) {
        events.add((stage == null ? "run" : stage) + (stderr ? ".err:" : ".out:") + text);
      }

      @Override
      public void truncated(boolean stderr, String stage, long keptBytes) {
        events.add((stage == null ? "run" : stage) + (stderr ? ".err" : ".out") + " truncated at " + keptBytes);
      }

      @Override
      public void compiled(int exitCode) {
        compiled.add(exitCode);
      }

      @Override
      public void compileOutputEnded(int exitCode) {
        events.add("compile output ended:" + exitCode);
      }

      @Override
      public void ended() {
        ended = true;
      }
    });
  }

  private static void feed(ProgramOutput out, boolean stderr, String text) {
    out.accept(new OutputChunk(stderr, text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String record(String body) {
    return "\u001eEXECGATE:" + NONCE + ":" + body + "\u001e";
  }

  private static ExecutionJob job(RuntimeSpec runtime) {
    return new ExecutionJob("id", 1, runtime, "img", List.of(new SourceFile("main.c", new byte[0])), null,
      List.of(), Map.of(), new ResourceLimits(3000, 64, 1, 32, 1000), false);
  }

  @Test
  void textBeforeEachStreamsCompileRecordBelongsToTheCompileStep() {
    ProgramOutput out = output(true, 1000);
    feed(out, true, "main.c:3: warning: unused\n" + record("compile:0:12:4096") + "run err\n");
    // a record split across chunks
    feed(out, false, "compiler said\n\u001eEXECGATE:" + NONCE + ":com");
    feed(out, false, "pile:0:12:4096\u001ehello\n" + record("exit:0:30:8192"));
    feed(out, true, record("exit:0:30:8192"));
    assertThat(out.compileStdoutText()).isEqualTo("compiler said\n");
    assertThat(out.compileStderrText()).isEqualTo("main.c:3: warning: unused\n");
    assertThat(out.stdoutText()).isEqualTo("hello\n");
    assertThat(out.stderrText()).isEqualTo("run err\n");
    assertThat(out.compileExitCode()).isZero();
    assertThat(out.compileUsage().cpuMs()).isEqualTo(12L);
    assertThat(out.usage().cpuMs()).isEqualTo(30L);
    assertThat(compiled).containsExactly(0);
    assertThat(ended).isTrue();
    // the compile step's output has all been handed on once both streams passed their compile record
    assertThat(events).containsExactly("compile.err:main.c:3: warning: unused\n", "run.err:run err\n",
      "compile.out:compiler said\n", "compile output ended:0", "run.out:hello\n");
  }

  @Test
  void withoutACompileStepAllTextIsTheRuns() {
    ProgramOutput out = output(false, 1000);
    feed(out, false, "a\n" + record("exit:3::"));
    feed(out, true, "b\n" + record("exit:3::"));
    assertThat(out.stdoutText()).isEqualTo("a\n");
    assertThat(out.stderrText()).isEqualTo("b\n");
    assertThat(out.compileStdoutText()).isEmpty();
    assertThat(events).containsExactly("run.out:a\n", "run.err:b\n");
  }

  @Test
  void eachStepGetsTheWholeCap() {
    ProgramOutput out = output(true, 4);
    feed(out, false, "abc" + record("compile:0::") + "defg" + record("exit:0::"));
    assertThat(out.compileStdoutText()).isEqualTo("abc");
    assertThat(out.stdoutText()).isEqualTo("defg");
    assertThat(out.stdoutTruncated()).isFalse();
    ProgramOutput flood = output(true, 4);
    feed(flood, false, "abcdef");
    assertThat(flood.compileStdoutText()).isEqualTo("abcd");
    assertThat(flood.compileStdoutTruncated()).isTrue();
    assertThat(flood.stdoutTruncated()).isFalse();
    assertThat(events).contains("compile.out truncated at 4");
  }

  @Test
  void aFailedCompileStepEndsFailedWithTheRunSkipped() {
    ProgramOutput out = output(true, 1000);
    feed(out, true, "main.c:1:1: error: expected ';'\n" + record("compile:1:20:100") + record("exit:1:20:100"));
    feed(out, false, record("compile:1:20:100") + record("exit:1:20:100"));
    ExecutionResult r = new RunOutcome(job(C), null, out, 1_000_000_000L, 1_150_000_000L, 1_160_000_000L, 5L)
      .ended(new ContainerState(false, 1L, false, null), null, false);
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.message()).isEqualTo("the compile step failed with exit code 1; the program was not run");
    assertThat(r.exitCode()).isNull();
    assertThat(r.signal()).isNull();
    assertThat(r.durationMs()).isNull();
    // the texts are not in the result: the store writes them from what the record kept
    assertThat(r.stdout()).isNull();
    assertThat(out.stdoutText()).isEmpty();
    assertThat(out.stderrText()).isEmpty();
    assertThat(r.compile().exitCode()).isEqualTo(1);
    assertThat(out.compileStderrText()).isEqualTo("main.c:1:1: error: expected ';'\n");
    assertThat(r.compile().durationMs()).isEqualTo(150L);
  }

  @Test
  void aCompileStepPastItsDeadlineIsATimeoutOfTheCompileStep() {
    ProgramOutput out = output(true, 1000);
    feed(out, true, "compiling...\n");
    out.end();
    ExecutionResult r = new RunOutcome(job(C), null, out, 1_000_000_000L, 0, 5_000_000_000L, 5L)
      .ended(new ContainerState(false, 137L, false, null), ExecutionStatus.TIMEOUT, false);
    assertThat(r.status()).isEqualTo(ExecutionStatus.TIMEOUT);
    assertThat(r.message()).isEqualTo("the compile step passed its deadline of 4000 ms and was killed");
    assertThat(r.exitCode()).isNull();
    assertThat(r.compile().exitCode()).isEqualTo(137);
    assertThat(r.compile().signal()).isEqualTo("SIGKILL");
    assertThat(out.compileStderrText()).isEqualTo("compiling...\n");
    assertThat(r.compile().durationMs()).isEqualTo(4000L);
  }

  @Test
  void aCompiledProgramReportsBothSteps() {
    ProgramOutput out = output(true, 1000);
    feed(out, false, record("compile:0:10:1") + "42\n" + record("exit:139:15:2"));
    feed(out, true, record("compile:0:10:1") + record("exit:139:15:2"));
    ExecutionResult r = new RunOutcome(job(C), null, out, 1_000_000_000L, 1_200_000_000L, 1_250_000_000L, 5L)
      .ended(new ContainerState(false, 139L, false, null), null, false);
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.exitCode()).isEqualTo(139);
    assertThat(r.signal()).isEqualTo("SIGSEGV");
    assertThat(out.stdoutText()).isEqualTo("42\n");
    assertThat(r.durationMs()).isEqualTo(50L);
    assertThat(r.message()).isNull();
    assertThat(r.compile().exitCode()).isZero();
    assertThat(r.compile().durationMs()).isEqualTo(200L);
    assertThat(r.toJson().getJsonObject("compile").getInteger("exitCode")).isZero();
  }

  private static final RuntimeSpec SH = new RuntimeSpec("sh", List.of(), "1", "img", "main.sh", null, "sh {file}",
    4000, false);

  @Test
  void aCompileRecordInARuntimeWithoutCompileStepIsProgramText() {
    ProgramOutput out = output(false, 1000);
    feed(out, false, "a" + record("compile:0::") + "b" + record("exit:0::"));
    assertThat(out.stdoutText()).isEqualTo("a" + record("compile:0::") + "b");
    assertThat(out.compileStdoutText()).isEmpty();
    assertThat(compiled).isEmpty();
    assertThat(out.exitCode()).isZero();
  }

  @Test
  void aCompileRecordIsTakenOncePerStreamAndNeverAfterRunOutput() {
    ProgramOutput out = output(true, 4);
    feed(out, false, "cc" + record("compile:0::") + "abcd" + record("compile:0::") + "more");
    // the second record is run output: it counts against the cap, which it does not restart
    assertThat(out.compileStdoutText()).isEqualTo("cc");
    assertThat(out.stdoutText()).isEqualTo("abcd");
    assertThat(out.stdoutTruncated()).isTrue();
    assertThat(compiled).containsExactly(0);
    feed(out, true, record("compile:0::") + record("compile:7::") + "x");
    assertThat(out.stderrText()).isEqualTo("\u001eEXE");
    assertThat(out.compileExitCode()).isZero();
    assertThat(compiled).containsExactly(0);
    assertThat(events).filteredOn(e -> e.startsWith("compile output ended")).containsExactly("compile output ended:0");
  }

  @Test
  void anExitRecordBeforeTheStreamsCompileRecordIsCompileText() {
    ProgramOutput out = output(true, 1000);
    feed(out, false, record("exit:0::") + "still compiling");
    assertThat(out.exitCode()).isNull();
    assertThat(out.compileStdoutText()).isEqualTo(record("exit:0::") + "still compiling");
  }

  @Test
  void unknownRecordsAreProgramText() {
    ProgramOutput out = output(false, 1000);
    feed(out, false, record("cap:999999999") + record("exit:1::"));
    assertThat(out.stdoutText()).isEqualTo(record("cap:999999999"));
    assertThat(out.exitCode()).isEqualTo(1);
  }

  @Test
  void noStreamKeepsMoreThanTheTwoStepsCaps() {
    ProgramOutput out = output(true, 4);
    feed(out, false, "abcdef");
    feed(out, false, record("compile:0::") + "ghijkl");
    assertThat(out.compileStdoutText()).isEqualTo("abcd");
    assertThat(out.stdoutText()).isEmpty();
    assertThat(out.compileStdoutTruncated()).isTrue();
  }

  @Test
  void aLauncherKilledByTheProgramIsTheProgramsFailure() {
    ProgramOutput out = output(false, 1000);
    feed(out, false, "pid\n");
    out.end();
    ExecutionResult r = new RunOutcome(job(SH), null, out, 1_000_000_000L, 0, 1_100_000_000L, 5L)
      .ended(new ContainerState(false, 137L, false, null), null, false, false, false);
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.exitCode()).isEqualTo(137);
    assertThat(r.signal()).isEqualTo("SIGKILL");
    // what it wrote is kept: the record's texts come from the program's output
    assertThat(out.stdoutText()).isEqualTo("pid\n");
    assertThat(r.message()).contains("launcher was killed by SIGKILL");
  }

  @Test
  void aLauncherKilledDuringTheCompileStepFailsTheCompileStep() {
    ProgramOutput out = output(true, 1000);
    out.end();
    ExecutionResult r = new RunOutcome(job(C), null, out, 1_000_000_000L, 0, 1_100_000_000L, 5L)
      .ended(new ContainerState(false, 143L, false, null), null, false, false, false);
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.exitCode()).isNull();
    assertThat(r.compile().signal()).isEqualTo("SIGTERM");
  }

  @Test
  void aBrokenOutputStreamOrALauncherSetupExitIsAnError() {
    ProgramOutput out = output(false, 1000);
    out.end();
    ExecutionResult broken = new RunOutcome(job(SH), null, out, 1_000_000_000L, 0, 1_100_000_000L, 5L)
      .ended(new ContainerState(false, 137L, false, null), null, false, false, true);
    assertThat(broken.status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(broken.message()).contains("engine");
    ExecutionResult setup = new RunOutcome(job(SH), null, out, 1_000_000_000L, 0, 1_100_000_000L, 5L)
      .ended(new ContainerState(false, 123L, false, null), null, false, false, false);
    assertThat(setup.status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(setup.message()).contains("unreadable to the program");
    // the gateway's own kill is never the program's failure
    ExecutionResult timedOut = new RunOutcome(job(SH), null, out, 1_000_000_000L, 0, 1_100_000_000L, 5L)
      .ended(new ContainerState(false, 137L, false, null), ExecutionStatus.TIMEOUT, false, true, false);
    assertThat(timedOut.status()).isEqualTo(ExecutionStatus.TIMEOUT);
  }
}
