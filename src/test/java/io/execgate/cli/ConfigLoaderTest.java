package io.execgate.cli;

import io.execgate.GatewayOptions;
import io.execgate.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigLoaderTest {

  @Test
  void theShippedConfigIsValidAndMatchesTheDefaults() {
    JsonObject shipped = ConfigLoader.read(Path.of("conf/config.json"), "conf/config.json");
    GatewayOptions options = new GatewayOptions(shipped);
    GatewayOptions defaults = new GatewayOptions();
    assertThat(options.toJson()).isEqualTo(defaults.toJson());
  }

  @Test
  void webhookEnvironmentVariablesSetTheSecretAndAddToTheAllowList() {
    JsonObject file = new JsonObject().put("webhooks", new JsonObject().put("allow",
      new io.vertx.core.json.JsonArray().add("hooks.example.com")));
    GatewayOptions o = new GatewayOptions(ConfigLoader.applyEnv(file, Map.of(
      "EXECGATE_WEBHOOK_SECRET", "a-secret-of-sixteen-chars",
      "EXECGATE_WEBHOOK_ALLOW", " *.corp.example:8443, 127.0.0.1:9000 ,")));
    assertThat(o.getWebhooks().getSecret()).isEqualTo("a-secret-of-sixteen-chars");
    assertThat(o.getWebhooks().getAllow()).containsExactly("hooks.example.com", "*.corp.example:8443", "127.0.0.1:9000");
    assertThat(o.toString()).doesNotContain("a-secret-of-sixteen-chars");
  }

  @Test
  void environmentVariablesOverrideTheFile() {
    JsonObject file = new JsonObject().put("images", new JsonObject().put("allow", new io.vertx.core.json.JsonArray()
      .add("a/*")));
    GatewayOptions o = new GatewayOptions(ConfigLoader.applyEnv(file, Map.of(
      "BASE_IMAGE", "alpine:3.20",
      "CUSTOM_IMAGE_REGISTRY", "registry.example:5000",
      "CUSTOM_IMAGE_PULL_TIMEOUT", "42",
      "CUSTOM_IMAGE_PULL_RETRIES", "5",
      "DOCKER_HOST", "tcp://127.0.0.1:2375",
      "EXECGATE_HTTP_HOST", "0.0.0.0",
      "EXECGATE_HTTP_PORT", "9090",
      "EXECGATE_IMAGE_ALLOW", "b/*, c:1",
      "EXECGATE_INSTANCE_ID", "node-1",
      "EXECGATE_AUTH_ALLOW_OPEN", "true")));
    assertThat(o.getImages().getBaseImage()).isEqualTo("alpine:3.20");
    assertThat(o.getImages().getRegistry()).isEqualTo("registry.example:5000");
    assertThat(o.getImages().getPullTimeoutSeconds()).isEqualTo(42);
    assertThat(o.getImages().getPullRetries()).isEqualTo(5);
    assertThat(o.getImages().getAllow()).containsExactly("a/*", "b/*", "c:1");
    assertThat(o.getDocker().getHost()).isEqualTo("tcp://127.0.0.1:2375");
    assertThat(o.getHttp().getHost()).isEqualTo("0.0.0.0");
    assertThat(o.getHttp().getPort()).isEqualTo(9090);
    assertThat(o.getInstanceId()).isEqualTo("node-1");
    assertThat(o.getAuth().isAllowOpen()).isTrue();
    assertThat(o.findRuntime("sh").image()).isEqualTo("alpine:3.20");
  }

  @Test
  void registryCredentialsComeFromTheEnvironmentForTheCustomRegistry() {
    GatewayOptions o = new GatewayOptions(ConfigLoader.applyEnv(new JsonObject(), Map.of(
      "CUSTOM_IMAGE_REGISTRY", "registry.example:5000",
      "CUSTOM_IMAGE_REGISTRY_USERNAME", "ci",
      "CUSTOM_IMAGE_REGISTRY_PASSWORD", "s3cret")));
    assertThat(o.getImages().getCredentials().get("registry.example:5000").username()).isEqualTo("ci");
    assertThat(o.getImages().getCredentials().get("registry.example:5000").password()).isEqualTo("s3cret");
    assertThat(o.getImages().toString()).doesNotContain("s3cret");
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.applyEnv(new JsonObject(),
      Map.of("CUSTOM_IMAGE_REGISTRY_USERNAME", "ci"))).key()).isEqualTo("CUSTOM_IMAGE_REGISTRY_USERNAME");
    assertThat(catchThrowableOfType(ConfigException.class, () -> new GatewayOptions(new JsonObject()
      .put("images", new JsonObject().put("registry", "https://registry.example"))))
      .key()).isEqualTo("images.registry");
    assertThat(catchThrowableOfType(ConfigException.class, () -> new GatewayOptions(new JsonObject()
      .put("images", new JsonObject().put("credentials", new JsonObject().put("r.example", new JsonObject()
        .put("username", "u")))))).key()).isEqualTo("images.credentials.r.example.password");
    assertThat(catchThrowableOfType(ConfigException.class, () -> new GatewayOptions(new JsonObject()
      .put("runtimes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "sh").put("file", "m.sh")
        .put("run", "sh {file}").put("image", "Not Valid")))))
      .key()).isEqualTo("runtimes[0].image");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThat(catchThrowableOfType(ConfigException.class,
      () -> ConfigLoader.applyEnv(new JsonObject(), Map.of("EXECGATE_HTTP_PORT", "eighty"))).key())
      .isEqualTo("EXECGATE_HTTP_PORT");
    assertThat(catchThrowableOfType(ConfigException.class,
      () -> ConfigLoader.applyEnv(new JsonObject(), Map.of("EXECGATE_AUTH_ALLOW_OPEN", "yes"))).key())
      .isEqualTo("EXECGATE_AUTH_ALLOW_OPEN");
    assertThat(catchThrowableOfType(ConfigException.class,
      () -> new GatewayOptions(new JsonObject().put("http", new JsonObject().put("port", 70000)))).key())
      .isEqualTo("http.port");
    assertThat(catchThrowableOfType(ConfigException.class,
      () -> new GatewayOptions(new JsonObject().put("executor", new JsonObject().put("maxConcurent", 1)))).key())
      .isEqualTo("executor.maxConcurent");
    assertThat(catchThrowableOfType(ConfigException.class, () -> new GatewayOptions(new JsonObject()
      .put("executor", new JsonObject().put("limits", new JsonObject().put("timeoutMs", 120_000))))).key())
      .isEqualTo("executor.limits.timeoutMs");
    assertThat(catchThrowableOfType(ConfigException.class,
      () -> new GatewayOptions(new JsonObject().put("defaultRuntime", "cobol"))).key())
      .isEqualTo("defaultRuntime");
  }

  @Test
  void commentsAreIgnored() {
    GatewayOptions o = new GatewayOptions(new JsonObject().put("//", "a comment")
      .put("http", new JsonObject().put("//port", "the port").put("port", 1234)));
    assertThat(o.getHttp().getPort()).isEqualTo(1234);
  }

  @Test
  void keysAdminsAndTheTokenSecretComeFromTheEnvironment() {
    String key = io.execgate.auth.ApiKey.generate();
    String secret = io.execgate.auth.ApiKey.generate();
    GatewayOptions o = new GatewayOptions(ConfigLoader.applyEnv(new JsonObject(), Map.of(
      "EXECGATE_API_KEYS", "ci=" + key + ",ops=sha256:" + io.execgate.auth.ApiKey.hash("x"),
      "EXECGATE_ADMIN_KEYS", "ops",
      "EXECGATE_TOKEN_SECRET", secret)));
    assertThat(o.getAuth().getKeys()).extracting(k -> k.id() + ":" + k.admin()).containsExactly("ci:false", "ops:true");
    assertThat(o.getAuth().getTokenSecret()).isEqualTo(secret);
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.applyEnv(new JsonObject(), Map.of(
      "EXECGATE_API_KEYS", "ci=" + key, "EXECGATE_ADMIN_KEYS", "nobody"))).getMessage()).contains("'nobody'");
    ConfigException weak = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.applyEnv(new JsonObject(),
      Map.of("EXECGATE_API_KEYS", "ci=" + key + ",weak=s3cret")));
    assertThat(weak.key()).isEqualTo("EXECGATE_API_KEYS");
    assertThat(weak.getMessage()).contains("'weak'").doesNotContain("s3cret");
  }

  @Test
  void allowedHostsAreHostNames() {
    assertThat(new GatewayOptions(new JsonObject().put("http", new JsonObject().put("allowedHosts",
      new io.vertx.core.json.JsonArray().add("Exec.Internal")))).getHttp().getAllowedHosts()).containsExactly("exec.internal");
    for (String bad : new String[]{"exec.internal:8080", "http://exec.internal", "*.internal", ""}) {
      assertThat(catchThrowableOfType(ConfigException.class, () -> new GatewayOptions(new JsonObject().put("http",
        new JsonObject().put("allowedHosts", new io.vertx.core.json.JsonArray().add(bad))))).key()).as(bad)
        .isEqualTo("http.allowedHosts");
    }
  }
}
