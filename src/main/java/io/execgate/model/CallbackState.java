package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * Where the webhook delivery of an execution or a batch stands, as its record shows it.
 *
 * @param attempts   attempts made so far
 * @param lastStatus the HTTP status of the last attempt's answer, or {@code null} (none yet, or no
 *                   answer: refused, timed out, unreachable)
 * @param delivered  whether the receiver answered 2xx
 * @param error      why the last attempt failed without a status, or why delivery stopped; {@code null} otherwise
 */
public record CallbackState(int attempts, Integer lastStatus, boolean delivered, String error) {

  /** A delivery not attempted yet. */
  public static final CallbackState PENDING = new CallbackState(0, null, false, null);

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("attempts", attempts).put("lastStatus", lastStatus)
      .put("delivered", delivered);
    if (error != null) {
      json.put("error", error);
    }
    return json;
  }

  public static CallbackState fromJson(JsonObject json) {
    return new CallbackState(json.getInteger("attempts", 0), json.getInteger("lastStatus"),
      json.getBoolean("delivered", false), json.getString("error"));
  }
}
