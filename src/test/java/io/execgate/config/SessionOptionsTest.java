package io.execgate.config;

import io.execgate.GatewayOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionOptionsTest {

  @Test
  void theShippedConfigurationReadsAndHoldsTheDefaults() throws Exception {
    GatewayOptions options = new GatewayOptions(new JsonObject(Files.readString(Path.of("conf/config.json"))));
    assertThat(options.getSessions().toJson()).isEqualTo(new SessionOptions().toJson());
  }

  @Test
  void jsonRoundTripAndChecks() {
    SessionOptions o = new SessionOptions().setMaxPerKey(2).setIdleTimeoutSeconds(5).setMaxFileBytes(10);
    assertThat(new SessionOptions(o.toJson()).toJson()).isEqualTo(o.toJson());
    assertThatThrownBy(() -> new SessionOptions(new JsonObject().put("maxPerKey", 100).put("maxSessions", 10)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("sessions.maxPerKey");
    assertThatThrownBy(() -> new SessionOptions(new JsonObject().put("idleTimeoutSeconds", 10)
      .put("maxIdleTimeoutSeconds", 5))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new SessionOptions(new JsonObject().put("bogus", 1))).isInstanceOf(ConfigException.class);
  }
}
