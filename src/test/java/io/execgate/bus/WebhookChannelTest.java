package io.execgate.bus;

import io.execgate.model.CallbackRequest;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The webhook verticle's protocol as {@link WebhookChannel} speaks it: each operation's address, body
 * and send timeout, answered by a real consumer on a real bus.
 */
class WebhookChannelTest extends ChannelTestBase {

  private WebhookChannel webhooks;

  @BeforeEach
  void setUp() {
    webhooks = new WebhookChannel(recorded.bus(), addresses);
  }

  @Test
  void watchHandsTheDeliveryOverWithinFiveSeconds() throws Exception {
    CallbackRequest request = new CallbackRequest(false, "e1", "https://example.test/hook", "key", false);
    vertx.eventBus().<CallbackRequest>consumer("t.webhook.watch", m -> m.reply(null));
    webhooks.watch(request).await(WAIT_S, TimeUnit.SECONDS);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.webhook.watch");
    assertThat(s.body()).isEqualTo(request);
    assertThat(s.timeoutMs()).isEqualTo(WebhookChannel.WATCH_TIMEOUT_MS).isEqualTo(5_000);
  }

  @Test
  void watchFailsWhenTheVerticleRefuses() throws Exception {
    vertx.eventBus().<CallbackRequest>consumer("t.webhook.watch", m -> m.fail(503, "full"));
    assertThatThrownBy(() -> webhooks.watch(new CallbackRequest(true, "b1", "https://example.test/", "key", false))
      .await(WAIT_S, TimeUnit.SECONDS)).isInstanceOf(ReplyException.class).hasMessage("full");
  }

  @Test
  void dropIsOneWay() throws Exception {
    CompletableFuture<String> dropped = new CompletableFuture<>();
    vertx.eventBus().<String>consumer("t.webhook.drop", m -> dropped.complete(m.body()));
    webhooks.drop("e1");
    assertThat(dropped.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("e1");
    assertThat(recorded.only().method()).isEqualTo("send");
  }
}
