package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * Whether the gateway can run executions now: the Docker engine answers and the default image is
 * present.
 *
 * @param docker       the engine answered a ping
 * @param defaultImage the default runtime's image is present locally
 * @param message      what is missing, or {@code null} when ready
 */
public record Readiness(boolean docker, boolean defaultImage, String message) {

  public boolean ready() {
    return docker && defaultImage;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("ready", ready())
      .put("checks", new JsonObject().put("docker", docker).put("defaultImage", defaultImage))
      .put("message", message);
  }

  public static Readiness fromJson(JsonObject json) {
    JsonObject checks = json.getJsonObject("checks");
    return new Readiness(checks.getBoolean("docker"), checks.getBoolean("defaultImage"), json.getString("message"));
  }
}
