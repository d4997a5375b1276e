package io.execgate.webhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignerTest {

  @Test
  void aKnownVector() {
    // printf '%s' '1700000000.{"id":"x"}' | openssl dgst -sha256 -hmac 'whsec_test_secret_0123'
    byte[] body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(WebhookSigner.header("whsec_test_secret_0123", 1_700_000_000L, body))
      .isEqualTo("t=1700000000,v1=6e68d5e2520f751f773e0297b5e78ad313d49a6333925ebfb9f834835517862c");
  }

  @Test
  void theTimestampAndEveryByteAreSigned() {
    byte[] body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    String base = WebhookSigner.hmac("whsec_test_secret_0123", 1_700_000_000L, body);
    assertThat(WebhookSigner.hmac("whsec_test_secret_0123", 1_700_000_001L, body)).isNotEqualTo(base);
    assertThat(WebhookSigner.hmac("whsec_test_secret_0124", 1_700_000_000L, body)).isNotEqualTo(base);
    assertThat(WebhookSigner.hmac("whsec_test_secret_0123", 1_700_000_000L,
      "{\"id\":\"y\"}".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(base);
  }
}
