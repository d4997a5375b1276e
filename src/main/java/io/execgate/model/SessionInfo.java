package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A session as the gateway describes it (the body of {@code GET /v1/sessions/{id}}, without links).
 *
 * @param id                 the session's id
 * @param status             {@code starting}, {@code ready} or {@code busy}
 * @param language           its runtime's name
 * @param version            its runtime's version
 * @param image              the image its sandbox runs
 * @param createdAt          when it was created
 * @param expiresAt          when it ends unless used again
 * @param idleTimeoutSeconds how long it lives without a call
 * @param lifetimeSeconds    how long it lives at most
 * @param stateful           whether it keeps one Python interpreter across its executions
 */
public record SessionInfo(String id, String status, String language, String version, String image,
                          Instant createdAt, Instant expiresAt, long idleTimeoutSeconds, long lifetimeSeconds,
                          boolean stateful) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("status", status).put("language", language).put("version", version)
      .put("image", image).put("createdAt", createdAt.toString()).put("expiresAt", expiresAt.toString())
      .put("idleTimeoutSeconds", idleTimeoutSeconds).put("maxLifetimeSeconds", lifetimeSeconds)
      .put("stateful", stateful);
  }

  public static SessionInfo fromJson(JsonObject json) {
    return new SessionInfo(json.getString("id"), json.getString("status"), json.getString("language"),
      json.getString("version"), json.getString("image"), Instant.parse(json.getString("createdAt")),
      Instant.parse(json.getString("expiresAt")), json.getLong("idleTimeoutSeconds"),
      json.getLong("maxLifetimeSeconds"), json.getBoolean("stateful", false));
  }
}
