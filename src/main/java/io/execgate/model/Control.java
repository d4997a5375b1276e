package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * A command sent to a running execution: cancel it, feed or close its stdin, or signal it.
 *
 * @param type   what to do
 * @param data   stdin text ({@code STDIN})
 * @param signal the signal name, e.g. {@code SIGINT} ({@code SIGNAL})
 */
public record Control(Type type, String data, String signal) {

  /**
   * The kinds of control commands.
   */
  public enum Type {
    CANCEL, STDIN, STDIN_CLOSE, SIGNAL;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static Control cancel() {
    return new Control(Type.CANCEL, null, null);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type.id());
    if (data != null) {
      json.put("data", data);
    }
    if (signal != null) {
      json.put("signal", signal);
    }
    return json;
  }

  public static Control fromJson(JsonObject json) {
    return new Control(Type.valueOf(json.getString("type").toUpperCase(Locale.ROOT)), json.getString("data"),
      json.getString("signal"));
  }
}
