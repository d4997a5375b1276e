package io.execgate.executor;

import io.execgate.bus.Headers;
import io.execgate.docker.AttachedOutput;
import io.execgate.docker.ContainerSpec;
import io.execgate.docker.StdinSink;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.PoolKey;
import io.execgate.pool.WarmStreams;
import io.vertx.core.eventbus.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm pool's fallback ({@link Sandbox} through {@link ExecutionRun}, against the fake engine):
 * whenever the pool has no warm container that fits, is not there, fails the take, or hands over one
 * that cannot be adjusted, the run creates a fresh container and succeeds; a warm container it could
 * not use is removed. Each test takes milliseconds.
 */
class WarmFallbackTest extends ExecutionRunTestBase {

  private static final List<String> COLD_RUN = calls(COLD_START, "inspect c1", "remove c1");

  /** The pool's takes: "key image-id execution". */
  private final List<String> takes = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void enablePool() {
    ec.options().getExecutor().getPool().setEnabled(true);
    engine.program(c -> c.stdout("cold\n").exit(0));
  }

  private void pool(Consumer<Message<PoolKey>> answer) {
    vertx.eventBus().<PoolKey>consumer(addresses.poolTake(), m -> {
      takes.add(m.body().image() + " " + m.headers().get(Headers.IMAGE_ID) + " "
        + m.headers().get(Headers.EXECUTION));
      answer.accept(m);
    });
  }

  private void runsCold(ExecutionJob job) throws Exception {
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(stored(job).stdout()).isEqualTo("cold\n");
  }

  @Test
  void noWarmContainerThatFitsStartsAColdOne() throws Exception {
    // the pool has none of this runtime and image id (or none ready): it answers null at once
    pool(m -> m.reply(null));
    ExecutionJob job = job();
    runsCold(job);
    // asked for the image id the image cache checked, as this execution
    assertThat(takes).containsExactly("img sha256:0123 " + job.id());
    assertThat(engine.calls()).containsExactlyElementsOf(COLD_RUN);
  }

  @Test
  void aPoolThatFailsTheTakeStartsAColdOne() throws Exception {
    pool(m -> m.fail(ErrorCode.DOCKER_UNAVAILABLE.number(), "the pool is refilling"));
    ExecutionJob job = job();
    runsCold(job);
    assertThat(takes).hasSize(1);
    assertThat(engine.calls()).containsExactlyElementsOf(COLD_RUN);
  }

  @Test
  void noPoolToAskStartsAColdOne() throws Exception {
    // enabled, but its verticle is not (yet) there: the take finds no handler
    long t0 = System.nanoTime();
    runsCold(job());
    assertThat(engine.calls()).containsExactlyElementsOf(COLD_RUN);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_000);
  }

  @Test
  void aWarmContainerWhoseLimitsCannotBeAdjustedIsRemovedAndAColdOneRuns() throws Exception {
    // the request's limits differ from the pool's: the warm container must be updated, and that fails
    pool(m -> m.reply("w7"));
    engine.fail("update", new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "update refused"));
    runsCold(job());
    assertThat(engine.calls()).containsExactly("rename w7", "update w7", "remove w7", "create", "attachOutput c1",
      "attachStdin c1", "start c1", "inspect c1", "remove c1");
  }

  @Test
  void aWarmContainerRunsOnTheStreamsThePoolLeftInTheHandoff() throws Exception {
    // as the pool does ahead of time: a started container, attached, its streams left in the node's handoff
    engine.program(c -> c.stdout("warm\n").exit(0));
    String id = engine.create(new ContainerSpec("execgate-warm-1", "sha256:0123", "sh", Map.of(), 1000, 1 << 26,
      1_000_000_000L, 32, 1 << 24, false, 64, null, List.of())).await(WAIT_S, TimeUnit.SECONDS);
    AttachedOutput output = engine.attachOutput(id).await(WAIT_S, TimeUnit.SECONDS);
    StdinSink stdin = engine.attachStdin(id).await(WAIT_S, TimeUnit.SECONDS);
    engine.start(id).await(WAIT_S, TimeUnit.SECONDS);
    output.pause();
    ec.warm().put(id, new WarmStreams(output, stdin));
    pool(m -> m.reply(id));
    ExecutionJob job = job();
    ExecutionResult result = run(job);
    assertThat(result.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(stored(job).stdout()).isEqualTo("warm\n");
    // the run asked the engine for no stream of its own, and took the streams out of the handoff
    assertThat(engine.calls()).containsExactly("create", "attachOutput c1", "attachStdin c1", "start c1",
      "rename c1", "update c1", "remove c1");
    assertThat(ec.warm().take(id)).isNull();
  }

  @Test
  void withThePoolOffNothingIsTaken() throws Exception {
    ec.options().getExecutor().getPool().setEnabled(false);
    pool(m -> m.reply("w7"));
    runsCold(job());
    assertThat(takes).isEmpty();
    assertThat(engine.calls()).containsExactlyElementsOf(COLD_RUN);
  }
}
