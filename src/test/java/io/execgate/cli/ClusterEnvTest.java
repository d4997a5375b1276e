package io.execgate.cli;

import io.execgate.GatewayOptions;
import io.execgate.config.ClusterOptions;
import io.execgate.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ClusterEnvTest {

  @Test
  void theEnvironmentConfiguresTheCluster() {
    GatewayOptions o = new GatewayOptions(ConfigLoader.applyEnv(new JsonObject(), Map.of(
      "EXECGATE_CLUSTER", "true",
      "EXECGATE_ROLE", "gateway",
      "EXECGATE_CLUSTER_NAME", "prod",
      "EXECGATE_CLUSTER_MEMBERS", "10.0.0.1, 10.0.0.2:5901,",
      "EXECGATE_CLUSTER_HOST", "10.0.0.3",
      "EXECGATE_CLUSTER_PUBLIC_HOST", "203.0.113.7",
      "EXECGATE_CLUSTER_PORT", "5901",
      "EXECGATE_CLUSTER_EVENTBUS_PORT", "5999")));
    ClusterOptions c = o.getCluster();
    assertThat(c.isEnabled()).isTrue();
    assertThat(c.getRole()).isEqualTo(ClusterOptions.Role.GATEWAY);
    assertThat(c.getName()).isEqualTo("prod");
    assertThat(c.getMembers()).containsExactly("10.0.0.1", "10.0.0.2:5901");
    assertThat(c.getHost()).isEqualTo("10.0.0.3");
    assertThat(c.getPublicHost()).isEqualTo("203.0.113.7");
    assertThat(c.getPort()).isEqualTo(5901);
    assertThat(c.getEventBusPort()).isEqualTo(5999);
  }

  @Test
  void theRoleFlagOverridesTheEnvironmentAndUnknownArgumentsAreRefused() {
    assertThat(Main.environment(new String[]{"--role=worker"})).containsEntry("EXECGATE_ROLE", "worker");
    assertThat(catchThrowableOfType(ConfigException.class, () -> Main.environment(new String[]{"--rol=worker"}))
      .getMessage()).contains("--rol=worker");
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.applyEnv(new JsonObject(),
      Map.of("EXECGATE_CLUSTER", "yes"))).key()).isEqualTo("EXECGATE_CLUSTER");
    assertThat(catchThrowableOfType(ConfigException.class, () -> new GatewayOptions(ConfigLoader.applyEnv(
      new JsonObject(), Map.of("EXECGATE_ROLE", "worker")))).key()).isEqualTo("cluster.role");
  }
}
