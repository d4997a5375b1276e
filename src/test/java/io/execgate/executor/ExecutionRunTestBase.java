package io.execgate.executor;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.bus.Headers;
import io.execgate.docker.ContainerRemover;
import io.execgate.docker.FakeContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.image.ConfirmedImages;
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
import io.execgate.pool.WarmHandoff;
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
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;


/**
 * What the tests of one execution's state machine ({@link ExecutionRun}) share: a real Vertx and
 * event bus, a scripted engine ({@link FakeContainerRuntime}), and the image cache and the scheduler
 * answered by the test. No Docker; each test takes milliseconds.
 */
@ExtendWith(VertxExtension.class)
abstract class ExecutionRunTestBase {

  static final RuntimeSpec SH = new RuntimeSpec("sh", List.of(), "1", "img", "main.sh", null, "sh {file}",
    4000, false);
  static final long WAIT_S = 5;

  Vertx vertx;
  Context context;
  FakeContainerRuntime engine;
  ExecutorContext ec;
  ExecutionStore store;
  Addresses addresses;
  /** Scheduler traffic, in order: "acquire id", "release id". */
  final List<String> scheduler = Collections.synchronizedList(new ArrayList<>());
  /** Acquires held back instead of answered (no slot free). */
  final List<Message<String>> heldAcquires = Collections.synchronizedList(new ArrayList<>());
  volatile boolean slotsFree = true;
  /** What the image cache was asked, in order. */
  final List<ImageRequest> imageAsks = Collections.synchronizedList(new ArrayList<>());
  /** Whether the image cache answers that the image is being pulled (and the pull never ends). */
  volatile boolean pulling;

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
      OutputBudget.of(options.getExecutor().getOutputRetention()), new ConfirmedImages(), new WarmHandoff());
    vertx.eventBus().<ImageRequest>consumer(addresses.imageEnsure(), m -> {
      imageAsks.add(m.body());
      String notice = m.headers().get(Headers.PULLING_NOTICE);
      if (!pulling) {
        m.reply(new ImageInfo("img", "img", ImageState.PRESENT, "sha256:0123", 1L, 0L, 0, null, null));
      } else if (!m.body().untilUsable()) {
        m.reply(new ImageInfo("img", null, ImageState.PULLING, null, null, null, 0, null, null));
      } else if (notice != null) {
        // as the image cache does: a pull starts, the asker hears of it, the answer waits for its end
        vertx.eventBus().send(notice, new ImageInfo("img", null, ImageState.PULLING, null, null, null, 0, null, null));
      }
    });
    vertx.eventBus().<String>consumer(addresses.schedulerAcquire(), m -> {
      scheduler.add("acquire " + m.body());
      if (slotsFree) {
        grant(m);
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

  /**
   * Grants a slot as the scheduler does: the grant waits for the execution's answer, which gives the
   * slot back (recorded as "release id").
   */
  void grant(Message<String> request) {
    String id = request.body();
    request.replyAndRequest(0).onSuccess(answer -> scheduler.add("release " + id));
  }

  ExecutionJob job(long timeoutMs, long outputBytes) {
    return new ExecutionJob(UUID.randomUUID().toString(), System.currentTimeMillis(), SH, "img",
      List.of(SourceFile.utf8("main.sh", "true")), null, List.of(), Map.of(),
      new ResourceLimits(timeoutMs, 64, 1, 32, outputBytes), false, "key");
  }

  ExecutionJob job() {
    return job(5_000, 1 << 20);
  }

  /**
   * Registers and runs {@code job} on the run's context.
   *
   * @return the final result, once the run cleaned up
   */
  Future<ExecutionResult> start(ExecutionJob job) throws Exception {
    Promise<ExecutionResult> done = Promise.promise();
    Promise<Void> registered = Promise.promise();
    context.runOnContext(v -> {
      ExecutionRun run = new ExecutionRun(ec, context, job, "key");
      run.register().onComplete(registered).compose(x -> run.run()).onComplete(done);
    });
    registered.future().await(WAIT_S, TimeUnit.SECONDS);
    return done.future();
  }

  ExecutionResult run(ExecutionJob job) throws Exception {
    return start(job).await(WAIT_S, TimeUnit.SECONDS);
  }

  void control(ExecutionJob job, Control control) {
    vertx.eventBus().request(addresses.control(job.id()), control);
  }

  /** The record as a client reads it, texts included. */
  ExecutionResult stored(ExecutionJob job) throws Exception {
    return store.full(job.id()).await(WAIT_S, TimeUnit.SECONDS);
  }

  static final List<String> COLD_START = List.of("create", "attachOutput c1", "attachStdin c1", "start c1");

  static List<String> calls(List<String> start, String... rest) {
    List<String> all = new ArrayList<>(start);
    all.addAll(List.of(rest));
    return all;
  }


  static ExecutionJob interactive(ExecutionJob j) {
    return new ExecutionJob(j.id(), j.submittedAt(), j.runtime(), j.image(), j.files(), j.stdin(), j.args(), j.env(),
      j.limits(), true, j.owner());
  }

  /**
   * @return {@code null} when the run accepted the control, else its failure as "code: message"
   */
  String ask(ExecutionJob job, Control control) throws Exception {
    return vertx.eventBus().request(addresses.control(job.id()), control)
      .map(m -> (String) null)
      .recover(err -> Future.succeededFuture(((ReplyException) err).failureCode() + ": " + err.getMessage()))
      .await(WAIT_S, TimeUnit.SECONDS);
  }

  ExecutionStatus status(ExecutionJob job) {
    ExecutionResult r = store.get(job.id()).await();
    return r == null ? null : r.status();
  }

  static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT_S + " s");
      }
      Thread.sleep(5);
    }
  }
}
