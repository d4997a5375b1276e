package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One entry of a session's working directory (an item of {@code GET /v1/sessions/{id}/files}).
 *
 * @param name       its path relative to the working directory
 * @param size       its size in bytes
 * @param modifiedAt when it was last modified
 * @param type       {@code file} or {@code directory}
 */
public record SessionFile(String name, long size, Instant modifiedAt, String type) {

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("size", size).put("modifiedAt", modifiedAt.toString())
      .put("type", type);
  }

  public static SessionFile fromJson(JsonObject json) {
    return new SessionFile(json.getString("name"), json.getLong("size"), Instant.parse(json.getString("modifiedAt")),
      json.getString("type"));
  }
}
