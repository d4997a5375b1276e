package io.execgate.executor;

import io.execgate.docker.FakeContainer;
import io.execgate.error.ErrorCode;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ImageRequest;
import io.execgate.model.ExecutionStatus;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What clients do to a running execution ({@link RunControl}, through its control address): cancel
 * it while its image is pulled, while queued, while its container is created or while it runs;
 * write and close its stdin; signal its program; pause its output, which holds the program back.
 */
class RunControlTest extends ExecutionRunTestBase {

  @Test
  void aCancelWhileQueuedLeavesTheQueueAndCreatesNothing() throws Exception {
    slotsFree = false;
    ExecutionJob job = job();
    Future<ExecutionResult> done = start(job);
    waitUntil(() -> !heldAcquires.isEmpty());
    control(job, Control.cancel());
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(result.message()).isEqualTo("cancelled");
    assertThat(engine.calls()).isEmpty();
    // one release leaves the queue, the run's cleanup releases again (the scheduler ignores it)
    assertThat(scheduler).startsWith("acquire " + job.id(), "release " + job.id());
  }

  @Test
  void aCancelWhileTheContainerIsCreatedRemovesItUnstarted() throws Exception {
    engine.delay("create", 200);
    ExecutionJob job = job();
    Future<ExecutionResult> done = start(job);
    waitUntil(() -> engine.calls().contains("create"));
    control(job, Control.cancel());
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(engine.calls()).containsExactly("create", "remove c1");
  }

  @Test
  void aCancelWhileRunningKillsAndRemoves() throws Exception {
    engine.program(c -> {
      c.stdout("working\n");
      c.hang();
    });
    ExecutionJob job = job();
    Future<ExecutionResult> done = start(job);
    waitUntil(() -> engine.container("c1") != null && engine.container("c1").pushedBytes() > 0);
    control(job, Control.cancel());
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(result.message()).isEqualTo("cancelled");
    assertThat(stored(job).stdout()).isEqualTo("working\n");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "kill c1", "inspect c1", "remove c1"));
  }

  @Test
  void aPausedOutputHoldsTheProgramBackUntilResumed() throws Exception {
    int total = 1 << 20;
    engine.program(c -> {
      byte[] block = "y".repeat(8 * 1024).getBytes();
      for (int sent = 0; sent < total; sent += block.length) {
        c.write(false, block);
      }
      c.exit(0);
    });
    ExecutionJob job = job(5_000, 2L << 20);
    Future<ExecutionResult> done = start(job);
    control(job, Control.pause());
    waitUntil(() -> engine.container("c1") != null && engine.container("c1").pushedBytes() > 0);
    Thread.sleep(100);
    // the attached output buffers about 64 KiB (plus the chunk being merged), then the program blocks
    long held = engine.container("c1").pushedBytes();
    assertThat(held).isLessThan(256 * 1024);
    Thread.sleep(50);
    assertThat(engine.container("c1").pushedBytes()).isEqualTo(held);
    assertThat(done.isComplete()).isFalse();
    control(job, Control.resume());
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(stored(job).stdout()).hasSize(total);
  }

  @Test
  void aCancelWhileTheImageIsPulledCreatesNothing() throws Exception {
    pulling = true;
    ExecutionJob job = job();
    Future<ExecutionResult> done = start(job);
    waitUntil(() -> status(job) == ExecutionStatus.PULLING);
    control(job, Control.cancel());
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(engine.calls()).isEmpty();
    // one ask, which waits for the pull and learned of it by the cache's notice
    assertThat(imageAsks).containsExactly(new ImageRequest("img", true));
    // it never asked for a slot; its cleanup still releases whatever it might hold
    assertThat(scheduler).containsExactly("release " + job.id());
  }

  @Test
  void interactiveStdinReachesTheProgramAndItsEndClosesIt() throws Exception {
    engine.program(c -> {
      while (!c.stdinClosed()) {
        c.sleep(5);
      }
      c.stdout("got " + c.stdinText()).exit(0);
    });
    ExecutionJob job = interactive(job());
    Future<ExecutionResult> done = start(job);
    // sent before the container exists: kept, then written after the program's payload
    assertThat(ask(job, new Control(Control.Type.STDIN, "abc", null))).isNull();
    waitUntil(() -> engine.container("c1") != null && engine.container("c1").running());
    assertThat(ask(job, new Control(Control.Type.STDIN, "def", null))).isNull();
    assertThat(ask(job, new Control(Control.Type.STDIN_CLOSE, null, null))).isNull();
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(stored(job).stdout()).isEqualTo("got abcdef");
  }

  @Test
  void stdinToANonInteractiveExecutionIsRefused() throws Exception {
    engine.program(FakeContainer::hang);
    ExecutionJob job = job(300, 1 << 20);
    Future<ExecutionResult> done = start(job);
    assertThat(ask(job, new Control(Control.Type.STDIN, "abc", null)))
      .isEqualTo(ErrorCode.INVALID_REQUEST.number() + ": this execution does not take stdin now");
    assertThat(done.await(WAIT_S, TimeUnit.SECONDS).status()).isEqualTo(ExecutionStatus.TIMEOUT);
  }

  @Test
  void signalsReachTheRunningProgramOnly() throws Exception {
    engine.program(c -> {
      c.stdout("ready\n");
      while (!c.signals().contains("INT")) {
        c.sleep(5);
      }
      c.exit(130);
    });
    slotsFree = false;
    ExecutionJob job = job();
    Future<ExecutionResult> done = start(job);
    waitUntil(() -> !heldAcquires.isEmpty());
    assertThat(ask(job, new Control(Control.Type.SIGNAL, null, "SIGINT")))
      .isEqualTo(ErrorCode.INVALID_REQUEST.number() + ": the program is not running");
    assertThat(ask(job, new Control(Control.Type.SIGNAL, null, "SIGSTOP")))
      .startsWith(ErrorCode.INVALID_REQUEST.number() + ": signal must be one of");
    grant(heldAcquires.remove(0));
    waitUntil(() -> engine.container("c1") != null && engine.container("c1").pushedBytes() > 0);
    assertThat(ask(job, new Control(Control.Type.SIGNAL, null, "SIGINT"))).isNull();
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(result.exitCode()).isEqualTo(130);
    assertThat(result.signal()).isEqualTo("SIGINT");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "signal c1", "inspect c1", "remove c1"));
  }

  @Test
  void sigkillKillsTheContainer() throws Exception {
    engine.program(c -> {
      c.stdout("ready\n");
      c.hang();
    });
    ExecutionJob job = job();
    Future<ExecutionResult> done = start(job);
    waitUntil(() -> engine.container("c1") != null && engine.container("c1").pushedBytes() > 0);
    assertThat(ask(job, new Control(Control.Type.SIGNAL, null, "SIGKILL"))).isNull();
    ExecutionResult result = done.await(WAIT_S, TimeUnit.SECONDS);
    // a kill the client asked for is the program's death by SIGKILL, not a gateway verdict
    assertThat(result.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(result.exitCode()).isEqualTo(137);
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "kill c1", "inspect c1", "remove c1"));
  }
}
