package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.stream.CloseCodes;
import io.execgate.stream.FrameSink;
import io.vertx.core.json.JsonObject;

/**
 * The gateway's own interactive protocol ({@code GET /v1/ws}): {@code run} (the submit body plus
 * {@code "type":"run"}), then {@code stdin}, {@code stdin_close}, {@code signal} and {@code cancel};
 * the execution's frames as they are. A message the gateway cannot take gets an {@code error} frame
 * and the socket stays usable; a protocol violation closes it with a 4000-range code.
 */
final class NativeDialect implements SocketDialect {

  @Override
  public String startType() {
    return "run";
  }

  @Override
  public JsonObject submitBody(JsonObject start) {
    JsonObject body = start.copy();
    body.remove("type");
    body.remove("wait");
    body.remove("session");
    return body;
  }

  @Override
  public String session(JsonObject start) {
    Object session = start.getValue("session");
    if (session != null && !(session instanceof String)) {
      throw GatewayException.invalid("session", "session must be a session's id (a string)");
    }
    return (String) session;
  }

  @Override
  public void dispatch(JsonObject msg, Session session) {
    Object type = msg.getValue("type");
    if (!(type instanceof String t)) {
      session.error(GatewayException.invalid("type", "every message needs a string type: run, stdin, stdin_close, "
        + "signal or cancel"));
      return;
    }
    if ((t.equals("signal") || t.equals("cancel") || t.equals("stdin_close")) && !session.controlAllowed(t)) {
      return;
    }
    switch (t) {
      case "run" -> {
        if (session.idle()) {
          session.startExecution();
        } else {
          session.close(CloseCodes.PROTOCOL_VIOLATION, new GatewayException(ErrorCode.PROTOCOL_VIOLATION,
            "one execution per socket: a run was already sent"));
        }
      }
      case "stdin" -> {
        Object data = msg.getValue("data");
        if (!(data instanceof String s)) {
          session.error(GatewayException.invalid("data", "stdin needs a string data"));
        } else {
          control(session, new Control(Control.Type.STDIN, s, null));
        }
      }
      case "stdin_close" -> control(session, new Control(Control.Type.STDIN_CLOSE, null, null));
      case "signal" -> {
        Object signal = msg.getValue("signal");
        if (!(signal instanceof String s)) {
          session.error(GatewayException.invalid("signal", "signal needs a string signal, e.g. SIGINT"));
        } else {
          control(session, new Control(Control.Type.SIGNAL, null, s));
        }
      }
      case "cancel" -> control(session, Control.cancel());
      default -> session.error(GatewayException.invalid("type", "unknown message type '" + t
        + "'; expected run, stdin, stdin_close, signal or cancel"));
    }
  }

  private static void control(Session session, Control c) {
    if (session.idle()) {
      session.refuse(new GatewayException(ErrorCode.PROTOCOL_VIOLATION, "no execution yet: send run first"));
    } else {
      session.control(c);
    }
  }

  @Override
  public long startTimeoutMs() {
    return 0;
  }

  @Override
  public void startTimedOut(WebSocketSink sink) {
    // no bound: the keepalive and the node's stream limits bound an idle socket
  }

  @Override
  public void admitted(WebSocketSink sink, ExecutionJob job) {
    // the accepted frame, first of the execution's frames, says so
  }

  @Override
  public FrameSink output(WebSocketSink sink, ExecutionJob job) {
    return sink;
  }

  @Override
  public void invalid(WebSocketSink sink, GatewayException error) {
    sink.error(error);
  }

  @Override
  public void refused(WebSocketSink sink, GatewayException error) {
    sink.error(error);
  }

  @Override
  public void fail(WebSocketSink sink, int closeCode, GatewayException error) {
    sink.fail(closeCode, error);
  }

  @Override
  public void binary(WebSocketSink sink) {
    // under the binary subprotocol too: only output goes binary, commands stay JSON text
    sink.fail(CloseCodes.PROTOCOL_VIOLATION, new GatewayException(ErrorCode.PROTOCOL_VIOLATION, sink.binary()
      ? "binary messages from the client are not accepted, also under " + BinaryFrames.SUBPROTOCOL
        + ": send commands as JSON text" : "binary frames are not accepted; send JSON text frames"));
  }
}
