package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;

/**
 * A command sent to a running execution: cancel it, feed or close its stdin, signal it, or pause
 * and resume its output (the back-pressure of the client that owns it; bytes are never dropped).
 *
 * @param type   what to do
 * @param data   stdin text ({@code STDIN})
 * @param signal the signal name, e.g. {@code SIGINT} ({@code SIGNAL})
 */
public record Control(Type type, String data, String signal) {

  /** The signals a client may send to a running program. */
  public static final List<String> SENDABLE_SIGNALS = List.of("SIGINT", "SIGTERM", "SIGKILL", "SIGHUP", "SIGQUIT",
    "SIGUSR1", "SIGUSR2");

  /**
   * The kinds of control commands.
   */
  public enum Type {
    CANCEL, STDIN, STDIN_CLOSE, SIGNAL, PAUSE, RESUME,
    /** Asks for the record as it stands: a node that runs alone stores no passing status (starting, running). */
    STATE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @return a command that asks the run for its record as it stands, answered with an
   *   {@code ExecutionResult}
   */
  public static Control state() {
    return new Control(Type.STATE, null, null);
  }

  public static Control cancel() {
    return new Control(Type.CANCEL, null, null);
  }

  /**
   * @return a command that stops reading the program's output until {@link #resume()}: the
   *   program blocks on its writes once the engine's pipe is full
   */
  public static Control pause() {
    return new Control(Type.PAUSE, null, null);
  }

  public static Control resume() {
    return new Control(Type.RESUME, null, null);
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
