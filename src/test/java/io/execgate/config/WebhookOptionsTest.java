package io.execgate.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookOptionsTest {

  @Test
  void roundTripAndMaskedSecret() {
    WebhookOptions o = new WebhookOptions().setSecret("0123456789abcdef").setAllow(List.of("*.example.com:*"))
      .setMaxAttempts(3).setRetryDelayMs(500).setRetryMaxDelayMs(4_000).setTimeoutMs(2_000).setMaxUrlLength(512)
      .setMaxPending(7);
    assertThat(new WebhookOptions(o.toJson()).toJson()).isEqualTo(o.toJson());
    assertThat(o.toString()).doesNotContain("0123456789abcdef");
    assertThat(new BatchOptions(new BatchOptions().setMaxExecutions(7).toJson()).getMaxExecutions()).isEqualTo(7);
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> new WebhookOptions(new JsonObject().put("secret", "short")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks.secret");
    assertThatThrownBy(() -> new WebhookOptions(new JsonObject().put("retryDelayMs", 5_000).put("retryMaxDelayMs", 1_000)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks.retryMaxDelayMs");
    assertThatThrownBy(() -> new WebhookOptions(new JsonObject().put("maxAttempts", 0)))
      .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new WebhookOptions(new JsonObject().put("alow", List.of())))
      .isInstanceOf(ConfigException.class).hasMessageContaining("alow");
    assertThatThrownBy(() -> new BatchOptions(new JsonObject().put("maxExecutions", 0)))
      .isInstanceOf(ConfigException.class);
  }

  @Test
  void theDefaultRetriesBackOffFromOneSecondToAMinute() {
    WebhookOptions o = new WebhookOptions();
    long[] nominal = {1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000};
    for (int retry = 1; retry <= nominal.length; retry++) {
      long longest = Backoff.delayMs(o.getRetryDelayMs(), o.getRetryMaxDelayMs(), retry, 0.0);
      long shortest = Backoff.delayMs(o.getRetryDelayMs(), o.getRetryMaxDelayMs(), retry, Math.nextDown(1.0));
      assertThat(longest).as("retry %d", retry).isEqualTo(nominal[retry - 1]);
      assertThat(shortest).as("retry %d", retry).isEqualTo(nominal[retry - 1] / 2 + 1);
    }
  }
}
