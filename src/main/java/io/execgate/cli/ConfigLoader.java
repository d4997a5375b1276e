package io.execgate.cli;

import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads the gateway's configuration: the JSON file ({@code EXECGATE_CONFIG}, else
 * {@code conf/config.json} when present, else the built-in defaults), then the environment
 * variables of the configuration table in docs/configuration.md on top, and {@code CUSTOM_IMAGE_REGISTRY_USERNAME} /
 * {@code CUSTOM_IMAGE_REGISTRY_PASSWORD}: credentials for {@code CUSTOM_IMAGE_REGISTRY}.
 */
public final class ConfigLoader {

  public static final String DEFAULT_FILE = "conf/config.json";

  private ConfigLoader() {
  }

  /**
   * @param env the environment (usually {@code System.getenv()})
   * @return the validated options
   * @throws ConfigException naming the key or variable at fault
   */
  public static GatewayOptions load(Map<String, String> env) {
    String file = env.get("EXECGATE_CONFIG");
    JsonObject json;
    if (file != null && !file.isBlank()) {
      json = read(Path.of(file), "EXECGATE_CONFIG");
    } else if (Files.isRegularFile(Path.of(DEFAULT_FILE))) {
      json = read(Path.of(DEFAULT_FILE), DEFAULT_FILE);
    } else {
      json = new JsonObject();
    }
    return new GatewayOptions(applyEnv(json, env));
  }

  static JsonObject read(Path path, String source) {
    try {
      return new JsonObject(Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(source, "cannot read config file " + path + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException(source, "config file " + path + " is not a valid JSON object: " + e.getMessage());
    }
  }

  /**
   * @return a copy of {@code json} with the environment's overrides applied
   */
  static JsonObject applyEnv(JsonObject json, Map<String, String> env) {
    JsonObject out = json.copy();
    BiConsumer<String, BiConsumer<JsonObject, String>> set = (name, apply) -> {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        apply.accept(out, value.trim());
      }
    };
    set.accept("BASE_IMAGE", (o, v) -> section(o, "images").put("baseImage", v));
    set.accept("CUSTOM_IMAGE_REGISTRY", (o, v) -> section(o, "images").put("registry", v));
    set.accept("CUSTOM_IMAGE_PULL_TIMEOUT", (o, v) -> section(o, "images").put("pullTimeoutSeconds",
      number("CUSTOM_IMAGE_PULL_TIMEOUT", v)));
    set.accept("CUSTOM_IMAGE_PULL_RETRIES", (o, v) -> section(o, "images").put("pullRetries",
      number("CUSTOM_IMAGE_PULL_RETRIES", v)));
    set.accept("EXECGATE_IMAGE_ALLOW", (o, v) -> {
      JsonArray allow = section(o, "images").getJsonArray("allow", new JsonArray()).copy();
      Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(allow::add);
      section(o, "images").put("allow", allow);
    });
    String user = env.get("CUSTOM_IMAGE_REGISTRY_USERNAME");
    String password = env.get("CUSTOM_IMAGE_REGISTRY_PASSWORD");
    if (user != null && !user.isBlank()) {
      Object registry = section(out, "images").getValue("registry");
      if (!(registry instanceof String host) || host.isBlank()) {
        throw new ConfigException("CUSTOM_IMAGE_REGISTRY_USERNAME", "CUSTOM_IMAGE_REGISTRY_USERNAME needs "
          + "CUSTOM_IMAGE_REGISTRY (or images.registry): the credentials are for that registry");
      }
      JsonObject creds = section(out, "images").getValue("credentials") instanceof JsonObject o ? o.copy()
        : new JsonObject();
      creds.put(host, new JsonObject().put("username", user.trim()).put("password", password == null ? "" : password));
      section(out, "images").put("credentials", creds);
    }
    set.accept("EXECGATE_API_KEYS", (o, v) -> {
      JsonArray keys = section(o, "auth").getJsonArray("keys", new JsonArray()).copy();
      Arrays.stream(v.split(",")).map(String::trim).filter(e -> !e.isEmpty())
        .forEach(e -> keys.add(ApiKey.fromEnv(e).toJson()));
      section(o, "auth").put("keys", keys);
    });
    set.accept("EXECGATE_ADMIN_KEYS", (o, v) -> {
      JsonArray keys = section(o, "auth").getJsonArray("keys", new JsonArray()).copy();
      for (String id : v.split(",")) {
        String name = id.trim();
        if (name.isEmpty()) {
          continue;
        }
        JsonObject key = keys.stream().filter(k -> k instanceof JsonObject j && name.equals(j.getValue("id")))
          .map(k -> (JsonObject) k).findFirst().orElseThrow(() -> new ConfigException("EXECGATE_ADMIN_KEYS",
            "EXECGATE_ADMIN_KEYS names key '" + name + "', which is not configured (auth.keys, EXECGATE_API_KEYS)"));
        key.put("admin", true);
      }
      section(o, "auth").put("keys", keys);
    });
    set.accept("EXECGATE_WEBHOOK_SECRET", (o, v) -> section(o, "webhooks").put("secret", v));
    set.accept("EXECGATE_WEBHOOK_ALLOW", (o, v) -> {
      JsonArray allow = section(o, "webhooks").getJsonArray("allow", new JsonArray()).copy();
      Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(allow::add);
      section(o, "webhooks").put("allow", allow);
    });
    set.accept("EXECGATE_TOKEN_SECRET", (o, v) -> section(o, "auth").put("tokenSecret", v));
    set.accept("EXECGATE_AUTH_ALLOW_OPEN", (o, v) -> section(o, "auth").put("allowOpen",
      bool("EXECGATE_AUTH_ALLOW_OPEN", v)));
    set.accept("DOCKER_HOST", (o, v) -> section(o, "docker").put("host", v));
    set.accept("EXECGATE_HTTP_HOST", (o, v) -> section(o, "http").put("host", v));
    set.accept("EXECGATE_HTTP_PORT", (o, v) -> section(o, "http").put("port", number("EXECGATE_HTTP_PORT", v)));
    set.accept("EXECGATE_INSTANCE_ID", (o, v) -> o.put("instanceId", v));
    set.accept("EXECGATE_CLUSTER", (o, v) -> section(o, "cluster").put("enabled", bool("EXECGATE_CLUSTER", v)));
    set.accept("EXECGATE_ROLE", (o, v) -> section(o, "cluster").put("role", v));
    set.accept("EXECGATE_CLUSTER_NAME", (o, v) -> section(o, "cluster").put("name", v));
    set.accept("EXECGATE_CLUSTER_MEMBERS", (o, v) -> section(o, "cluster").put("members",
      new JsonArray(Arrays.stream(v.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList())));
    set.accept("EXECGATE_CLUSTER_HOST", (o, v) -> section(o, "cluster").put("host", v));
    set.accept("EXECGATE_CLUSTER_PUBLIC_HOST", (o, v) -> section(o, "cluster").put("publicHost", v));
    set.accept("EXECGATE_CLUSTER_PORT", (o, v) -> section(o, "cluster").put("port", number("EXECGATE_CLUSTER_PORT", v)));
    set.accept("EXECGATE_CLUSTER_EVENTBUS_PORT", (o, v) -> section(o, "cluster").put("eventBusPort",
      number("EXECGATE_CLUSTER_EVENTBUS_PORT", v)));
    set.accept("EXECGATE_CLUSTER_TLS", (o, v) -> section(section(o, "cluster"), "tls").put("enabled",
      bool("EXECGATE_CLUSTER_TLS", v)));
    set.accept("EXECGATE_CLUSTER_TLS_KEYSTORE", (o, v) -> section(section(o, "cluster"), "tls").put("keyStore", v));
    set.accept("EXECGATE_CLUSTER_TLS_KEYSTORE_PASSWORD", (o, v) -> section(section(o, "cluster"), "tls")
      .put("keyStorePassword", v));
    set.accept("EXECGATE_CLUSTER_TLS_TRUSTSTORE", (o, v) -> section(section(o, "cluster"), "tls").put("trustStore", v));
    set.accept("EXECGATE_CLUSTER_TLS_TRUSTSTORE_PASSWORD", (o, v) -> section(section(o, "cluster"), "tls")
      .put("trustStorePassword", v));
    return out;
  }

  private static JsonObject section(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      JsonObject section = new JsonObject();
      json.put(key, section);
      return section;
    }
    if (!(value instanceof JsonObject section)) {
      throw new ConfigException(key, key + " must be an object");
    }
    return section;
  }

  private static boolean bool(String name, String value) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name, name + " must be true or false, got '" + value + "'");
    };
  }

  private static long number(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(name, name + " must be an integer, got '" + value + "'");
    }
  }
}
