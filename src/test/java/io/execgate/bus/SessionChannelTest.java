package io.execgate.bus;

import io.execgate.model.SessionCall;
import io.execgate.model.SessionCall.Action;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sessions' protocol as {@link SessionChannel} speaks it: this node's session address, a worker's,
 * and each one's send timeout, answered by a real consumer on a real bus.
 */
class SessionChannelTest extends ChannelTestBase {

  private final SessionCall get = SessionCall.of(Action.GET, "alice", false, "s1");
  private SessionChannel sessions;

  @BeforeEach
  void setUp() {
    sessions = new SessionChannel(recorded.bus(), addresses);
  }

  @Test
  void aCallGoesToThisNodesSessionAddressWithinNinetySeconds() throws Exception {
    vertx.eventBus().<SessionCall>consumer("t.session.call", m -> m.reply(new JsonObject().put("id",
      m.body().session())));
    assertThat(sessions.call(get).await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(new JsonObject().put("id", "s1"));
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo(addresses.sessionCall());
    assertThat(s.body()).isEqualTo(get);
    assertThat(s.timeoutMs()).isEqualTo(SessionChannel.CALL_TIMEOUT_MS).isEqualTo(90_000);
  }

  @Test
  void aWorkersCallAnswersBeforeItsCallerGivesUp() throws Exception {
    vertx.eventBus().<SessionCall>consumer(addresses.workerSession("n1"), m -> m.reply(new JsonObject()));
    sessions.callWorker("n1", get).await(WAIT_S, TimeUnit.SECONDS);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo(addresses.workerSession("n1"));
    assertThat(s.timeoutMs()).isEqualTo(SessionChannel.WORKER_CALL_TIMEOUT_MS)
      .isLessThan(SessionChannel.CALL_TIMEOUT_MS);
  }

  @Test
  void aWorkersListIsAskedWithinTenSeconds() throws Exception {
    JsonObject none = new JsonObject().put("sessions", new JsonArray());
    vertx.eventBus().<SessionCall>consumer(addresses.workerSession("n2"), m -> m.reply(none));
    SessionCall list = SessionCall.of(Action.LIST, "alice", false, null);
    assertThat(sessions.listOnWorker("n2", list).await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(none);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.body()).isEqualTo(list);
    assertThat(s.timeoutMs()).isEqualTo(SessionChannel.WORKER_LIST_TIMEOUT_MS).isEqualTo(10_000);
  }

  @Test
  void aRefusalComesBackAsTheBusGivesIt() {
    vertx.eventBus().<SessionCall>consumer("t.session.call", m -> m.fail(404, "no session s1"));
    Throwable err = sessions.call(get).toCompletionStage().toCompletableFuture()
      .handle((v, e) -> e).join();
    assertThat(err).hasMessageContaining("no session s1");
  }

  @Test
  void heldNamesTheExecutionAndAnswersNullWhenTheSessionIsNotHeldForIt() throws Exception {
    vertx.eventBus().<String>consumer(addresses.sessionHeld(), m -> m.reply("e1".equals(m.headers()
      .get(Headers.EXECUTION)) ? new JsonObject().put("id", m.body()) : null));
    assertThat(sessions.held("s1", "e1").await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(new JsonObject().put("id", "s1"));
    assertThat(sessions.held("s1", "e2").await(WAIT_S, TimeUnit.SECONDS)).isNull();
    RecordingBus.Sent s = recorded.all().get(0);
    assertThat(s.address()).isEqualTo(addresses.sessionHeld());
    assertThat(s.timeoutMs()).isEqualTo(SessionChannel.HELD_TIMEOUT_MS).isEqualTo(10_000);
  }
}
