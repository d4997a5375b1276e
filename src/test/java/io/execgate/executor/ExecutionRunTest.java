package io.execgate.executor;

import io.execgate.docker.ContainerRemover;
import io.execgate.docker.FakeContainer;
import io.execgate.docker.FakeContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How one execution ends ({@link ExecutionRun} against {@link FakeContainerRuntime}): the status each
 * path ends in, what the record keeps, and which engine calls happened in which order.
 */
class ExecutionRunTest extends ExecutionRunTestBase {

  @Test
  void succeedsWithItsOutputAndExitCode() throws Exception {
    engine.program(c -> c.stdout("hello\n").stderr("warn\n").stdout("bye\n").exit(0));
    ExecutionJob job = job();
    long t0 = System.nanoTime();
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(result.exitCode()).isZero();
    assertThat(result.message()).isNull();
    assertThat(result.usage().cpuMs()).isEqualTo(5L);
    ExecutionResult kept = stored(job);
    assertThat(kept.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(kept.stdout()).isEqualTo("hello\nbye\n");
    assertThat(kept.stderr()).isEqualTo("warn\n");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "inspect c1", "remove c1"));
    assertThat(engine.container("c1").spec().image()).isEqualTo("sha256:0123");
    assertThat(engine.container("c1").spec().name()).isEqualTo("execgate-" + job.id());
    assertThat(scheduler).containsExactly("acquire " + job.id(), "release " + job.id());
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);
  }

  @Test
  void aNonZeroExitFails() throws Exception {
    engine.program(c -> c.stderr("boom\n").exit(3));
    ExecutionJob job = job();
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(stored(job).stderr()).isEqualTo("boom\n");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "inspect c1", "remove c1"));
  }

  @Test
  void theDeadlineKillsAndRemovesTheContainer() throws Exception {
    engine.program(c -> {
      c.stdout("started\n");
      c.hang();
    });
    ExecutionJob job = job(150, 1 << 20);
    long t0 = System.nanoTime();
    ExecutionResult result = run(job);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(result.status()).isEqualTo(ExecutionStatus.TIMEOUT);
    assertThat(result.message()).isEqualTo("the program passed its deadline of 150 ms and was killed");
    assertThat(result.exitCode()).isEqualTo(137);
    assertThat(stored(job).stdout()).isEqualTo("started\n");
    assertThat(ms).isBetween(150L, 2_000L);
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "kill c1", "inspect c1", "remove c1"));
  }

  @Test
  void theOomKillerEndsItOomKilled() throws Exception {
    engine.program(c -> {
      c.stdout("allocating\n");
      c.oomKill();
    });
    ExecutionJob job = job();
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.OOM_KILLED);
    assertThat(result.message()).isEqualTo("the memory limit of 64 MiB was reached");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "inspect c1", "remove c1"));
  }

  @Test
  void anOomKillTheLauncherReportsEndsOomKilled() throws Exception {
    engine.program(c -> c.exit(137, 1));
    ExecutionResult result = run(job());
    assertThat(result.status()).isEqualTo(ExecutionStatus.OOM_KILLED);
  }

  @Test
  void outputOverTheLimitKillsWithOutputLimit() throws Exception {
    engine.program(c -> {
      for (int i = 0; i < 100; i++) {
        c.stdout("x".repeat(99) + "\n");
      }
      c.hang();
    });
    ExecutionJob job = job(5_000, 1_000);
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.OUTPUT_LIMIT);
    assertThat(result.stdoutTruncated()).isTrue();
    assertThat(result.message()).isEqualTo("output passed the limit of 1000 bytes per stream and the program was killed");
    assertThat(stored(job).stdout()).hasSize(1_000);
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "kill c1", "inspect c1", "remove c1"));
  }

  @Test
  void anEngineFailureAtCreateIsAnErrorWithNothingToRemove() throws Exception {
    engine.fail("create", new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "the engine does not answer"));
    ExecutionJob job = job();
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(result.message()).isEqualTo("the engine does not answer");
    assertThat(engine.calls()).containsExactly("create");
    assertThat(stored(job).status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(scheduler).containsExactly("acquire " + job.id(), "release " + job.id());
  }

  @Test
  void anEngineFailureAtAttachRemovesTheCreatedContainer() throws Exception {
    engine.fail("attachOutput", new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "attach refused"));
    ExecutionResult result = run(job());
    assertThat(result.status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(result.message()).isEqualTo("attach refused");
    assertThat(engine.calls()).containsExactly("create", "attachOutput c1", "attachStdin c1", "remove c1");
  }

  @Test
  void anEngineFailureAtStartRemovesTheCreatedContainer() throws Exception {
    engine.fail("start", new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "start refused"));
    ExecutionResult result = run(job());
    assertThat(result.status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(result.message()).isEqualTo("start refused");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "remove c1"));
  }

  @Test
  void anEngineFailureWhileWaitingForTheEndIsAnError() throws Exception {
    // the launcher died without its end records: the verdict needs the engine, which fails
    engine.program(c -> c.crash(1));
    engine.fail("inspect", new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "inspect failed"));
    ExecutionResult result = run(job());
    assertThat(result.status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(result.message()).isEqualTo("inspect failed");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "inspect c1", "remove c1"));
  }

  @Test
  void aBrokenOutputStreamIsTheEnginesError() throws Exception {
    engine.program(c -> {
      c.stdout("partial\n");
      c.breakStream();
    });
    ExecutionJob job = job();
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.ERROR);
    assertThat(result.message()).startsWith("the output stream from the Docker engine broke");
    assertThat(stored(job).stdout()).isEqualTo("partial\n");
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "inspect c1", "remove c1"));
  }

  @Test
  void anUnusableWarmContainerFallsBackToAColdOne() throws Exception {
    ec.options().getExecutor().getPool().setEnabled(true);
    vertx.eventBus().<Object>consumer(addresses.poolTake(), m -> m.reply("w9"));
    engine.program(c -> c.stdout("cold\n").exit(0));
    ExecutionJob job = job();
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(stored(job).stdout()).isEqualTo("cold\n");
    // the pool's container is unknown to the engine: its attach fails, it is removed, a fresh one runs
    // (its limits are updated to the request's, which differ from the pool's)
    assertThat(engine.calls()).containsExactly("rename w9", "update w9", "attachOutput w9", "attachStdin w9",
      "remove w9", "create", "attachOutput c1", "attachStdin c1", "start c1", "inspect c1", "remove c1");
  }

  @Test
  void aRemovalTheEngineRefusesIsRetried() throws Exception {
    engine.program(c -> c.exit(0));
    engine.fail("remove", new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "the engine restarts"));
    ExecutionResult result = run(job());
    // the answer does not wait for the engine to come back
    assertThat(result.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "inspect c1", "remove c1"));
    assertThat(engine.container("c1").removed()).isFalse();
    engine.heal("remove");
    // the remover's first retry comes a second later
    waitUntil(() -> engine.container("c1").removed());
    assertThat(engine.calls()).containsExactlyElementsOf(calls(COLD_START, "inspect c1", "remove c1", "remove c1"));
  }

  @Test
  void theContainerIsRemovedExactlyOnceWhateverEndsTheRun() throws Exception {
    List<FakeContainerRuntime.Program> programs = List.of(c -> c.exit(0), c -> c.crash(2), FakeContainer::oomKill,
      FakeContainer::breakStream, FakeContainer::hang);
    for (FakeContainerRuntime.Program p : programs) {
      engine = new FakeContainerRuntime(vertx);
      ec = new ExecutorContext(vertx, engine, store, addresses, ec.options(), new ContainerRemover(vertx, engine),
        ec.budget(), ec.images(), ec.warm());
      engine.program(p);
      run(job(200, 1 << 20));
      assertThat(engine.calls().stream().filter(c -> c.startsWith("remove"))).containsExactly("remove c1");
    }
  }
}
