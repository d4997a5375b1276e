package io.execgate.executor;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.ExecutorChannel;
import io.execgate.docker.ContainerRemover;
import io.execgate.docker.SandboxRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.image.ConfirmedImages;
import io.execgate.model.ExecutionJob;
import io.execgate.pool.WarmHandoff;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputBudget;
import io.execgate.stream.RetiredFrameLogs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs executions in sandbox containers. Several instances, each on an event loop; each instance owns
 * the executions it took, from admission until their container is removed. It makes no blocking call:
 * every engine call goes through {@link SandboxRuntime}, whose own threads wait for the engine and
 * complete its futures back on the caller's context; container output arrives as chunks pushed onto
 * the run's context, and stdin is a queue the engine client drains on its own thread.
 */
public final class ExecutorVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ExecutorVerticle.class);
  private static final long STOP_GRACE_MS = 15_000;

  private final GatewayOptions options;
  private final SandboxRuntime runtime;
  private final OutputBudget budget;
  private final ConfirmedImages images;
  private final WarmHandoff warm;
  private final Map<String, ExecutionRun> runs = new HashMap<>();
  private final List<Future<?>> running = new ArrayList<>();
  private ExecutorContext ec;
  private RetiredFrameLogs retired;
  private boolean stopping;

  /**
   * One executor on its own, sharing nothing with an image cache or a pool: every image is asked for,
   * and a warm container it is handed is attached afresh ({@link #instances} shares them).
   *
   * @param options the gateway's options (copied)
   * @param runtime the container engine, shared by the gateway's executors and owned by the gateway
   */
  public ExecutorVerticle(GatewayOptions options, SandboxRuntime runtime) {
    this(options, runtime, OutputBudget.of(options.getExecutor().getOutputRetention()), new ConfirmedImages(),
      new WarmHandoff());
  }

  private ExecutorVerticle(GatewayOptions options, SandboxRuntime runtime, OutputBudget budget,
                           ConfirmedImages images, WarmHandoff warm) {
    this.options = new GatewayOptions(options);
    this.runtime = runtime;
    this.budget = budget;
    this.images = images;
    this.warm = warm;
  }

  /**
   * @return the instances of one node's executor, which share the node's budget of output held by
   *   records ({@code executor.outputRetention}), read the images the node's image cache confirmed and
   *   take the streams of the warm containers the node's pool hands them from {@code warm}
   */
  public static Supplier<ExecutorVerticle> instances(GatewayOptions options, SandboxRuntime runtime,
                                                     ConfirmedImages images, WarmHandoff warm) {
    OutputBudget budget = OutputBudget.of(options.getExecutor().getOutputRetention());
    return () -> new ExecutorVerticle(options, runtime, budget, images, warm);
  }

  @Override
  public Future<?> start() {
    Addresses addresses = new Addresses(options.getAddressPrefix());
    return ExecutionStore.open(vertx, addresses.executionsMap(), options.getExecutor().getRecordTtlSeconds() * 1000)
      .compose(store -> {
        // a cluster's records say which worker runs them
        ec = new ExecutorContext(vertx, runtime, options.getCluster().isEnabled()
          ? store.stampedBy(options.getInstanceId()) : store, addresses, options,
          new ContainerRemover(vertx, runtime), budget, images, warm);
        retired = new RetiredFrameLogs(vertx, options.getExecutor().getStreamGraceSeconds() * 1000,
          options.getExecutor().getStreamGraceBytes());
        return vertx.eventBus().<ExecutionJob>localConsumer(addresses.executorRun(), this::onRun).completion();
      });
  }

  private void onRun(Message<ExecutionJob> message) {
    if (stopping) {
      message.fail(ErrorCode.SHUTTING_DOWN.number(), "the gateway is shutting down");
      return;
    }
    ExecutionJob job = message.body();
    // the record's output is charged to the key that owns the execution
    ExecutionRun run = new ExecutionRun(ec, context, job, job.owner() == null ? "anonymous" : job.owner());
    runs.put(job.id(), run);
    Future<?> done = run.register()
      .onFailure(err -> {
        runs.remove(job.id());
        message.fail(ErrorCode.INTERNAL.number(), "cannot register execution: " + err.getMessage());
      })
      .compose(v -> {
        run.answer(message);
        return run.run();
      })
      .andThen(ar -> {
        runs.remove(job.id());
        retired.retire(run.frameLog());
        if (job.session() != null) {
          // the session's sandbox is clean again: the session takes its next execution
          new ExecutorChannel(vertx.eventBus(), ec.addresses()).sessionReleased(job.session(), job.id());
        }
      });
    running.add(done);
    done.onComplete(ar -> running.remove(done));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (!runs.isEmpty()) {
      log.info("stopping: cancelling {} running execution(s)", runs.size());
    }
    runs.values().forEach(ExecutionRun::shutdown);
    return Future.join(new ArrayList<>(running))
      .timeout(STOP_GRACE_MS, TimeUnit.MILLISECONDS)
      .otherwiseEmpty()
      .compose(v -> ec != null ? ec.remover().stop() : Future.succeededFuture())
      .andThen(ar -> {
        if (retired != null) {
          retired.closeAll();
        }
      });
  }
}
