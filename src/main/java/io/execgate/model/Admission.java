package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * The scheduler's answer to a submit: the execution was admitted, at this position in the queue
 * (0 when it starts at once).
 *
 * @param id       the execution id
 * @param position executions ahead of it
 */
public record Admission(String id, int position) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("position", position);
  }

  public static Admission fromJson(JsonObject json) {
    return new Admission(json.getString("id"), json.getInteger("position"));
  }
}
