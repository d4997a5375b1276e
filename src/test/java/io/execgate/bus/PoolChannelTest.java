package io.execgate.bus;

import io.execgate.model.PoolKey;
import io.execgate.model.PoolState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm pool's protocol as {@link PoolChannel} speaks it: each operation's address, body, headers
 * and send timeout, answered by a real consumer on a real bus.
 */
class PoolChannelTest extends ChannelTestBase {

  private final PoolKey key = new PoolKey("img", false, null);
  private PoolChannel pool;

  @BeforeEach
  void setUp() {
    pool = new PoolChannel(recorded.bus(), addresses);
  }

  @Test
  void takeNamesTheCheckedImageIdAndTheExecution() throws Exception {
    vertx.eventBus().<PoolKey>consumer("t.pool.take", m -> m.reply(m.body().equals(key) ? "c1" : null));
    assertThat(pool.take(key, "sha256:1", "e1").await(WAIT_S, TimeUnit.SECONDS)).isEqualTo("c1");
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.pool.take");
    assertThat(s.body()).isEqualTo(key);
    assertThat(s.header(Headers.IMAGE_ID)).isEqualTo("sha256:1");
    assertThat(s.header(Headers.EXECUTION)).isEqualTo("e1");
    // what Vert.x applied when the call set none
    assertThat(s.timeoutMs()).isEqualTo(PoolChannel.TAKE_TIMEOUT_MS).isEqualTo(30_000);
  }

  @Test
  void takeAnswersNullWhenNoneFits() throws Exception {
    vertx.eventBus().<PoolKey>consumer("t.pool.take", m -> m.reply(null));
    assertThat(pool.take(key, "sha256:1", "e1").await(WAIT_S, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void stateAsksWithinFiveSeconds() throws Exception {
    PoolState state = new PoolState(true, List.of(new PoolState.Pool(key, 1, 2, 0, 3, 0, null)));
    vertx.eventBus().consumer("t.pool.state", m -> m.reply(state));
    assertThat(pool.state().await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(state);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.pool.state");
    assertThat(s.body()).isNull();
    assertThat(s.timeoutMs()).isEqualTo(PoolChannel.STATE_TIMEOUT_MS).isEqualTo(5_000);
  }
}
