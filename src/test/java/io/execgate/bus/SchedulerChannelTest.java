package io.execgate.bus;

import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler's protocol as {@link SchedulerChannel} speaks it: each operation's address, body,
 * headers and send timeout, answered by a real consumer on a real bus.
 */
class SchedulerChannelTest extends ChannelTestBase {

  private SchedulerChannel scheduler;

  @BeforeEach
  void setUp() {
    scheduler = new SchedulerChannel(recorded.bus(), addresses);
  }

  private static DeliveryOptions owner() {
    return new DeliveryOptions().addHeader(Headers.OWNER, "key").addHeader(Headers.OWNER_MAX, "4");
  }

  @Test
  void admitCarriesTheJobAndItsOwner() throws Exception {
    ExecutionJob job = job("e1");
    vertx.eventBus().<ExecutionJob>consumer("t.scheduler.admit", m -> m.reply(new Admission(m.body().id(), 2)));
    assertThat(scheduler.admit(job, owner()).await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(new Admission("e1", 2));
    RecordingBus.Sent s = recorded.only();
    assertThat(s.body()).isEqualTo(job);
    assertThat(s.header(Headers.OWNER)).isEqualTo("key");
    assertThat(s.timeoutMs()).isEqualTo(SchedulerChannel.ADMIT_TIMEOUT_MS).isEqualTo(30_000);
  }

  @Test
  void reserveAsksForACount() throws Exception {
    vertx.eventBus().<JsonObject>consumer("t.scheduler.reserve", m -> m.reply("r" + m.body().getInteger("count")));
    assertThat(scheduler.reserve(3, owner()).await(WAIT_S, TimeUnit.SECONDS)).isEqualTo("r3");
    assertThat(recorded.only().timeoutMs()).isEqualTo(30_000);
  }

  @Test
  void acquireWaitsAsLongAsTheExecutionMay() throws Exception {
    vertx.eventBus().<String>consumer("t.scheduler.acquire", m -> m.reply(0));
    assertThat(scheduler.acquire("e1", 1234).await(WAIT_S, TimeUnit.SECONDS).body()).isEqualTo(0);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.body()).isEqualTo("e1");
    assertThat(s.timeoutMs()).isEqualTo(1234);
  }

  @Test
  void shortQuestionsHaveShortTimeouts() throws Exception {
    vertx.eventBus().<String>consumer("t.scheduler.release", m -> m.reply(null));
    vertx.eventBus().<String>consumer("t.scheduler.position", m -> m.reply(5));
    vertx.eventBus().<String>consumer("t.scheduler.heavy", m -> m.reply(true));
    vertx.eventBus().<Boolean>consumer("t.scheduler.engine-ready", m -> m.reply(null));
    scheduler.release("e1").await(WAIT_S, TimeUnit.SECONDS);
    assertThat(scheduler.position("e1").await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(5);
    assertThat(scheduler.heavy("e1").await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    scheduler.engineReady().await(WAIT_S, TimeUnit.SECONDS);
    List<RecordingBus.Sent> sent = recorded.all();
    assertThat(sent).extracting(RecordingBus.Sent::address).containsExactly("t.scheduler.release",
      "t.scheduler.position", "t.scheduler.heavy", "t.scheduler.engine-ready");
    assertThat(sent).extracting(RecordingBus.Sent::body).containsExactly("e1", "e1", "e1", true);
    assertThat(sent).extracting(RecordingBus.Sent::timeoutMs).containsExactly(SchedulerChannel.RELEASE_TIMEOUT_MS,
      SchedulerChannel.POSITION_TIMEOUT_MS, SchedulerChannel.HEAVY_TIMEOUT_MS, SchedulerChannel.ENGINE_READY_TIMEOUT_MS)
      .containsExactly(10_000L, 2_000L, 2_000L, 30_000L);
  }

  @Test
  void announcementsArePublishedOnThisNodeOnly() throws Exception {
    CompletableFuture<String> started = new CompletableFuture<>();
    CompletableFuture<String> released = new CompletableFuture<>();
    vertx.eventBus().<String>consumer("t.scheduler.started", m -> started.complete(m.body()));
    vertx.eventBus().<String>consumer("t.scheduler.released", m -> released.complete(m.body()));
    scheduler.started("e1");
    scheduler.released("e2");
    assertThat(started.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("e1");
    assertThat(released.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("e2");
    assertThat(recorded.all()).allSatisfy(s -> {
      assertThat(s.method()).isEqualTo("publish");
      assertThat(s.options().isLocalOnly()).isTrue();
    });
  }
}
