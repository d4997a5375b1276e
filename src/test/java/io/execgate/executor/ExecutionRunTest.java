package io.execgate.executor;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.docker.ContainerRemover;
import io.execgate.docker.FakeContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageRequest;
import io.execgate.model.ImageState;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputBudget;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One execution's state machine ({@link ExecutionRun}) against a scripted engine
 * ({@link FakeContainerRuntime}) on a real Vertx and event bus, with the image cache and the
 * scheduler answered by the test: what status each path ends in, what the record keeps, and which
 * engine calls happened in which order. No Docker; each test takes milliseconds.
 */
@ExtendWith(VertxExtension.class)
class ExecutionRunTest {

  private static final RuntimeSpec SH = new RuntimeSpec("sh", List.of(), "1", "img", "main.sh", null, "sh {file}",
    4000, false);
  private static final long WAIT_S = 5;

  private Vertx vertx;
  private Context context;
  private FakeContainerRuntime engine;
  private ExecutorContext ec;
  private ExecutionStore store;
  private Addresses addresses;
  /** Scheduler traffic, in order: "acquire id", "release id". */
  private final List<String> scheduler = Collections.synchronizedList(new ArrayList<>());
  /** Acquires held back instead of answered (no slot free). */
  private final List<Message<String>> heldAcquires = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean slotsFree = true;
  /** Whether the image cache answers that the image is being pulled (and the pull never ends). */
  private volatile boolean pulling;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    Codecs.registerAll(vertx.eventBus());
    GatewayOptions options = new GatewayOptions().setAddressPrefix("t");
    options.getExecutor().getPool().setEnabled(false);
    addresses = new Addresses("t");
    store = ExecutionStore.open(vertx, addresses.executionsMap(), 60_000).await(WAIT_S, TimeUnit.SECONDS);
    engine = new FakeContainerRuntime(vertx, 64 * 1024);
    ec = new ExecutorContext(vertx, engine, store, addresses, options, new ContainerRemover(vertx, engine),
      OutputBudget.of(options.getExecutor().getOutputRetention()));
    vertx.eventBus().<ImageRequest>consumer(addresses.imageEnsure(), m -> {
      if (!pulling) {
        m.reply(new ImageInfo("img", "img", ImageState.PRESENT, "sha256:0123", 1L, 0L, 0, null, null));
      } else if (!m.body().untilUsable()) {
        m.reply(new ImageInfo("img", null, ImageState.PULLING, null, null, null, 0, null, null));
      }
    });
    vertx.eventBus().<String>consumer(addresses.schedulerAcquire(), m -> {
      scheduler.add("acquire " + m.body());
      if (slotsFree) {
        m.reply(null);
      } else {
        heldAcquires.add(m);
      }
    });
    vertx.eventBus().<String>consumer(addresses.schedulerRelease(), m -> {
      scheduler.add("release " + m.body());
      // as the scheduler does: a released execution still queued loses its place
      heldAcquires.removeIf(held -> {
        if (held.body().equals(m.body())) {
          held.fail(ErrorCode.CANCELLED.number(), "cancelled");
          return true;
        }
        return false;
      });
      m.reply(null);
    });
    context = vertx.getOrCreateContext();
  }

  private ExecutionJob job(long timeoutMs, long outputBytes) {
    return new ExecutionJob(UUID.randomUUID().toString(), System.currentTimeMillis(), SH, "img",
      List.of(SourceFile.utf8("main.sh", "true")), null, List.of(), Map.of(),
      new ResourceLimits(timeoutMs, 64, 1, 32, outputBytes), false, "key");
  }

  private ExecutionJob job() {
    return job(5_000, 1 << 20);
  }

  /**
   * Registers and runs {@code job} on the run's context.
   *
   * @return the final result, once the run cleaned up
   */
  private Future<ExecutionResult> start(ExecutionJob job) throws Exception {
    Promise<ExecutionResult> done = Promise.promise();
    Promise<Void> registered = Promise.promise();
    context.runOnContext(v -> {
      ExecutionRun run = new ExecutionRun(ec, context, job, "key");
      run.register().onComplete(registered).compose(x -> run.run()).onComplete(done);
    });
    registered.future().await(WAIT_S, TimeUnit.SECONDS);
    return done.future();
  }

  private ExecutionResult run(ExecutionJob job) throws Exception {
    return start(job).await(WAIT_S, TimeUnit.SECONDS);
  }

  private void control(ExecutionJob job, Control control) {
    vertx.eventBus().request(addresses.control(job.id()), control);
  }

  /** The record as a client reads it, texts included. */
  private ExecutionResult stored(ExecutionJob job) throws Exception {
    return store.full(job.id()).await(WAIT_S, TimeUnit.SECONDS);
  }

  private static final List<String> COLD_START = List.of("create", "attachOutput c1", "attachStdin c1", "start c1");

  private static List<String> calls(List<String> start, String... rest) {
    List<String> all = new ArrayList<>(start);
    all.addAll(List.of(rest));
    return all;
  }

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
    engine.program(FakeContainerRuntime.Container::hang);
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
    heldAcquires.remove(0).reply(null);
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
    List<FakeContainerRuntime.Program> programs = List.of(c -> c.exit(0), c -> c.crash(2), FakeContainerRuntime.Container::oomKill,
      FakeContainerRuntime.Container::breakStream, FakeContainerRuntime.Container::hang);
    for (FakeContainerRuntime.Program p : programs) {
      engine = new FakeContainerRuntime(vertx);
      ec = new ExecutorContext(vertx, engine, store, addresses, ec.options(), new ContainerRemover(vertx, engine),
        ec.budget());
      engine.program(p);
      run(job(200, 1 << 20));
      assertThat(engine.calls().stream().filter(c -> c.startsWith("remove"))).containsExactly("remove c1");
    }
  }

  private static ExecutionJob interactive(ExecutionJob j) {
    return new ExecutionJob(j.id(), j.submittedAt(), j.runtime(), j.image(), j.files(), j.stdin(), j.args(), j.env(),
      j.limits(), true, j.owner());
  }

  /**
   * @return {@code null} when the run accepted the control, else its failure as "code: message"
   */
  private String ask(ExecutionJob job, Control control) throws Exception {
    return vertx.eventBus().request(addresses.control(job.id()), control)
      .map(m -> (String) null)
      .recover(err -> Future.succeededFuture(((ReplyException) err).failureCode() + ": " + err.getMessage()))
      .await(WAIT_S, TimeUnit.SECONDS);
  }

  private ExecutionStatus status(ExecutionJob job) {
    ExecutionResult r = store.get(job.id()).await();
    return r == null ? null : r.status();
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT_S + " s");
      }
      Thread.sleep(5);
    }
  }
}
