package io.execgate.auth;

import io.execgate.error.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

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
  void aKeyThatSetsNoLimitGetsTheDefaultsAndAnExplicitZeroMeansNone() {
    AuthOptions auth = new AuthOptions(new JsonObject()
      .put("keys", new JsonArray()
        .add(new JsonObject().put("id", "plain").put("sha256", ApiKey.hash("p")))
        .add(new JsonObject().put("id", "own").put("sha256", ApiKey.hash("o")).put("maxConcurrent", 0)
          .put("ratePerMinute", 5).put("maxStreams", 0).put("weight", 3)))
      .put("keyDefaults", new JsonObject().put("maxConcurrent", 7).put("maxStreams", 9)));
    Principal plain = Principal.of(auth.getKeys().get(0).withDefaults(auth.getKeyDefaults()));
    assertThat(List.of(plain.maxConcurrent(), plain.ratePerMinute(), plain.maxStreams(), plain.weight()))
      .containsExactly(7, KeyDefaults.DEFAULT_RATE_PER_MINUTE, 9, 1);
    Principal own = Principal.of(auth.getKeys().get(1).withDefaults(auth.getKeyDefaults()));
    assertThat(List.of(own.maxConcurrent(), own.ratePerMinute(), own.maxStreams(), own.weight()))
      .containsExactly(0, 5, 0, 3);
    // an unset limit stays unset through the options' JSON, so the defaults keep applying to it
    assertThat(auth.getKeys().get(0).toJson().containsKey("maxConcurrent")).isFalse();
    assertThat(new AuthOptions(auth.toJson()).toJson()).isEqualTo(auth.toJson());
    // keys from the environment set nothing of their own
    ApiKey env = ApiKey.fromEnv("ci=s3cret");
    assertThat(env.maxConcurrent()).isEqualTo(ApiKey.UNSET);
    assertThat(Principal.of(env.withDefaults(new KeyDefaults())).maxConcurrent()).isEqualTo(KeyDefaults.DEFAULT_MAX_CONCURRENT);
    // the anonymous caller of a gateway without keys has no share: it is the only tenant
    assertThat(Principal.ANONYMOUS.weight()).isZero();
    assertThat(Principal.ANONYMOUS.maxConcurrent()).isZero();
    assertThatThrownBy(() -> new AuthOptions(new JsonObject().put("keyDefaults", new JsonObject().put("weight", 0))))
      .isInstanceOf(ConfigException.class).hasMessageContaining("auth.keyDefaults.weight");
  }

  @Test
  void principalsAreRestrictedToTheirRuntimesAndImages() {
    Principal p = new Principal("k", java.util.List.of("python"), java.util.List.of("registry.example/*"), 0, 0);
    assertThat(p.mayUseRuntime("python")).isTrue();
    assertThat(p.mayUseRuntime("sh")).isFalse();
    assertThat(p.mayUseImage("registry.example/team/x:1")).isTrue();
    assertThat(p.mayUseImage("evil/x:1")).isFalse();
    assertThat(Principal.ANONYMOUS.mayUseRuntime("anything")).isTrue();
  }
}
