package io.execgate.auth;

import io.execgate.error.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeyTest {

  @Test
  void environmentEntriesAreHashedOrTakenAsHashes() {
    ApiKey raw = ApiKey.fromEnv("ci=s3cret");
    assertThat(raw.id()).isEqualTo("ci");
    assertThat(raw.sha256()).isEqualTo(ApiKey.hash("s3cret")).hasSize(64).doesNotContain("s3cret");
    ApiKey hashed = ApiKey.fromEnv("ops=sha256:" + ApiKey.hash("other"));
    assertThat(hashed.sha256()).isEqualTo(ApiKey.hash("other"));
    assertThatThrownBy(() -> ApiKey.fromEnv("nokey")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ApiKey.fromEnv("x=sha256:abc")).isInstanceOf(ConfigException.class)
      .hasMessageContaining("64 hex");
  }

  @Test
  void theConfigHoldsHashesOnly() {
    AuthOptions auth = new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash("k")).put("runtimes", new JsonArray().add("sh"))
        .put("maxConcurrent", 2).put("ratePerMinute", 30))));
    assertThat(auth.isEnabled()).isTrue();
    assertThat(auth.getKeys().get(0).runtimes()).containsExactly("sh");
    assertThat(new AuthOptions(auth.toJson()).toJson()).isEqualTo(auth.toJson());
    assertThatThrownBy(() -> new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("key", "plain"))))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash("1")))
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash("2")))))).hasMessageContaining("twice");
  }

  @Test
  void principalsAreRestrictedToTheirRuntimesAndImages() {
    Principal p = new Principal("k", java.util.List.of("python"), java.util.List.of("registry.example/team/**",
      "*.corp.example/*"), 0, 0);
    assertThat(p.mayUseRuntime("python")).isTrue();
    assertThat(p.mayUseRuntime("sh")).isFalse();
    assertThat(p.mayUseImage("registry.example/team/x:1")).isTrue();
    assertThat(p.mayUseImage("registry.example/team/a/b:1")).isTrue();
    assertThat(p.mayUseImage("x.corp.example/tool:1")).isTrue();
    assertThat(p.mayUseImage("evil/x:1")).isFalse();
    // registry, path and tag are matched apart: the allowed registry's name in an attacker's path is nothing
    assertThat(p.mayUseImage("evil.io/x.corp.example/pwn:1")).isFalse();
    assertThat(p.mayUseImage("evil.io/registry.example/team/x:1")).isFalse();
    assertThatThrownBy(() -> new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash("1")).put("images", new JsonArray().add("*/x"))))))
      .hasMessageContaining("auth.keys[0].images[0]").hasMessageContaining("every registry");
    assertThat(Principal.ANONYMOUS.mayUseRuntime("anything")).isTrue();
  }
}
