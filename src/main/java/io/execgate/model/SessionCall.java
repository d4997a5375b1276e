package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * One operation on the sessions of a node, sent to its session verticle on {@code session.call}.
 * The caller's key travels with it: a session answers only its owner (or an admin), every other key
 * gets {@code 404}.
 *
 * @param action    what to do
 * @param owner     the calling key's id
 * @param admin     whether the calling key is an admin's
 * @param session   the session's id ({@code null} for create and list)
 * @param spec      the session to create ({@code create} only)
 * @param path      a file path relative to the working directory (file actions)
 * @param data      a file's content ({@code put} only)
 * @param execution the execution to run ({@code acquire} only)
 * @param queue     whether an {@code acquire} waits for a busy session rather than failing
 */
public record SessionCall(Action action, String owner, boolean admin, String session, SessionSpec spec, String path,
                          byte[] data, String execution, boolean queue) {

  /** The operations. */
  public enum Action {
    CREATE, GET, LIST, DELETE, ACQUIRE, RELEASE, PUT_FILE, GET_FILE, DELETE_FILE, LIST_FILES, RESTART
  }

  public static SessionCall of(Action action, String owner, boolean admin, String session) {
    return new SessionCall(action, owner, admin, session, null, null, null, null, false);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("action", action.name()).put("owner", owner).put("admin", admin)
      .put("session", session).put("path", path).put("execution", execution).put("queue", queue);
    if (spec != null) {
      json.put("spec", spec.toJson());
    }
    if (data != null) {
      json.put("data", data);
    }
    return json;
  }

  public static SessionCall fromJson(JsonObject json) {
    JsonObject spec = json.getJsonObject("spec");
    return new SessionCall(Action.valueOf(json.getString("action")), json.getString("owner"),
      json.getBoolean("admin", false), json.getString("session"), spec == null ? null : SessionSpec.fromJson(spec),
      json.getString("path"), json.getBinary("data"), json.getString("execution"), json.getBoolean("queue", false));
  }
}
