package io.execgate.auth;

import io.execgate.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ApiKeyTest {

  @Test
  void environmentEntriesAreHashedOrTakenAsHashes() {
    String key = ApiKey.generate();
    ApiKey raw = ApiKey.fromEnv("ci=" + key);
    assertThat(raw.id()).isEqualTo("ci");
    assertThat(raw.sha256()).isEqualTo(ApiKey.hash(key)).hasSize(64).doesNotContain(key);
    String other = ApiKey.generate();
    ApiKey hashed = ApiKey.fromEnv("ops=sha256:" + ApiKey.hash(other));
    assertThat(hashed.sha256()).isEqualTo(ApiKey.hash(other));
    assertThatThrownBy(() -> ApiKey.fromEnv("nokey")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ApiKey.fromEnv("x=sha256:abc")).isInstanceOf(ConfigException.class)
      .hasMessageContaining("64 hex");
  }

  @Test
  void rawKeysWeakerThan128BitsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> ApiKey.fromEnv("weak=s3cret")).isInstanceOf(ConfigException.class)
      .hasMessageContaining("'weak'").hasMessageContaining("128").hasMessageContaining("generate-key")
      .hasMessageNotContaining("s3cret");
    // 22 URL-safe base64 characters of randomness are 132 bits; 21 lower-case letters and digits are not enough
    assertThat(ApiKey.entropyBits("aB3dE5gH7jK9mN1pQ2rS4t")).isGreaterThanOrEqualTo(128);
    assertThat(ApiKey.entropyBits("abcdefghij0123456789a")).isLessThan(128);
    // 32 hex digits, the usual 128-bit key, pass
    assertThat(ApiKey.entropyBits("0123456789abcdef0123456789abcdef")).isGreaterThanOrEqualTo(128);
    assertThat(ApiKey.entropyBits(ApiKey.generate())).isGreaterThanOrEqualTo(256);
    assertThat(ApiKey.generate()).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(ApiKey.generate());
  }

  @Test
  void theIdAnonymousIsReservedAndAdminRoundTrips() {
    assertThatThrownBy(() -> ApiKey.fromEnv("anonymous=sha256:" + ApiKey.hash(ApiKey.generate())))
      .isInstanceOf(ConfigException.class).hasMessageContaining("reserved");
    AuthOptions auth = new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "ops").put("sha256", ApiKey.hash(ApiKey.generate())).put("admin", true))));
    assertThat(auth.getKeys().get(0).admin()).isTrue();
    assertThat(new AuthOptions(auth.toJson()).getKeys().get(0).admin()).isTrue();
  }

  @Test
  void aTokenSecretIsLongEnoughAndNeverPrinted() {
    String secret = ApiKey.generate();
    AuthOptions auth = new AuthOptions(new JsonObject().put("tokenSecret", secret));
    assertThat(new AuthOptions(auth.toJson()).getTokenSecret()).isEqualTo(secret);
    assertThat(auth.toString()).doesNotContain(secret);
    io.execgate.GatewayOptions options = new io.execgate.GatewayOptions().setAuth(auth);
    assertThat(options.toString()).doesNotContain(secret);
    assertThat(new io.execgate.GatewayOptions(options).getAuth().getTokenSecret()).isEqualTo(secret);
    assertThatThrownBy(() -> new AuthOptions(new JsonObject().put("tokenSecret", "short")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("auth.tokenSecret");
  }

  @Test
  void aClusterGatewayWithKeysNeedsATokenSecretAndAWorkerDoesNot() {
    JsonObject keys = new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash(ApiKey.generate()))));
    JsonObject gateway = new JsonObject().put("auth", keys.copy())
      .put("cluster", new JsonObject().put("enabled", true).put("role", "gateway"));
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> new io.execgate.GatewayOptions(gateway));
    assertThat(e.key()).isEqualTo("auth.tokenSecret");
    assertThat(e.getMessage()).doesNotContain("\n");
    gateway.getJsonObject("auth").put("tokenSecret", ApiKey.generate());
    assertThat(new io.execgate.GatewayOptions(gateway).getAuth().getTokenSecret()).isNotNull();
    JsonObject worker = new JsonObject().put("auth", keys.copy())
      .put("cluster", new JsonObject().put("enabled", true).put("role", "worker"));
    assertThat(new io.execgate.GatewayOptions(worker).getAuth().getTokenSecret()).isNull();
  }

  @Test
  void theConfigHoldsHashesOnly() {
    AuthOptions auth = new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash(ApiKey.generate())).put("runtimes", new JsonArray().add("sh"))
        .put("maxConcurrent", 2).put("ratePerMinute", 30))));
    assertThat(auth.isEnabled()).isTrue();
    assertThat(auth.getKeys().get(0).runtimes()).containsExactly("sh");
    assertThat(new AuthOptions(auth.toJson()).toJson()).isEqualTo(auth.toJson());
    assertThatThrownBy(() -> new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("key", "plain"))))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new AuthOptions(new JsonObject().put("keys", new JsonArray()
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash(ApiKey.generate())))
      .add(new JsonObject().put("id", "a").put("sha256", ApiKey.hash(ApiKey.generate())))))).hasMessageContaining("twice");
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
    ApiKey env = ApiKey.fromEnv("ci=" + ApiKey.generate());
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

  @Test
  void aKeyMayAccessOnlyItsOwnExecutionsAndATokenOnlyItsScope() {
    ApiKey alice = new ApiKey("alice", ApiKey.hash(ApiKey.generate()), java.util.List.of(), java.util.List.of(), 0, 0);
    Principal a = Principal.of(alice);
    assertThat(a.mayAccess("alice", "e1")).isTrue();
    assertThat(a.mayAccess("bob", "e1")).isFalse();
    assertThat(a.mayAccess(null, "e1")).as("a record without owner is an admin's").isFalse();
    assertThat(a.viaToken(null).mayAccess("alice", "e2")).isTrue();
    assertThat(a.viaToken("e1").mayAccess("alice", "e1")).isTrue();
    assertThat(a.viaToken("e1").mayAccess("alice", "e2")).isFalse();
    Principal admin = Principal.of(alice.withAdmin(true));
    assertThat(admin.mayAccess("bob", "e1")).isTrue();
    assertThat(admin.mayAccess(null, "e1")).isTrue();
    assertThat(admin.viaToken("e1").mayAccess("bob", "e2")).isFalse();
    assertThat(Principal.NOBODY.mayAccess("", "e1")).isFalse();
    assertThat(Principal.NOBODY.mayAccess("alice", "e1")).isFalse();
    assertThat(Principal.NOBODY.admin()).isFalse();
    assertThat(Principal.ANONYMOUS.mayAccess("alice", "e1")).as("trusted like the application").isTrue();
  }
}
