package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.stream.FrameSink;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Piston's interactive protocol ({@code /api/v2/connect}, engineer-man/piston api/src/api/v2.js):
 * the client sends {@code init} (the execute request; its {@code stdin} is discarded, as Piston
 * does), then {@code data} ({@code {"stream":"stdin","data":...}}) and {@code signal}; it receives
 * {@code runtime}, {@code stage} ({@code compile}, {@code run}), {@code data} ({@code stdout},
 * {@code stderr}), {@code exit} at the end of each stage ({@code code}, {@code signal}) and
 * {@code error}. The socket closes with Piston's codes: 4999 after the last {@code exit}, 4000 a
 * second {@code init}, 4001 no valid {@code init} within a second, 4002 after an {@code error}
 * (a request that cannot run, a message that is not JSON), 4003 {@code data} or {@code signal}
 * before {@code init}, 4004 {@code data} to another stream than stdin, 4005 an invalid signal;
 * and with the gateway's own past its limits: 4009 a message too big, 4029 too many messages.
 * Messages of other types are ignored, as Piston does, but counted as refused.
 */
final class PistonDialect implements SocketDialect {

  /** Piston closes a socket that sent no valid {@code init} within a second. */
  static final long INIT_TIMEOUT_MS = 1000;

  static final short ALREADY_INITIALIZED = 4000;
  static final short INITIALIZATION_TIMEOUT = 4001;
  static final short NOTIFIED_ERROR = 4002;
  static final short NOT_YET_INITIALIZED = 4003;
  static final short ONLY_STDIN = 4004;
  static final short INVALID_SIGNAL = 4005;
  static final short JOB_COMPLETED = 4999;

  private static final String COMPILE = "compile";
  private static final String RUN = "run";

  private final PistonMapper mapper;

  PistonDialect(PistonMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * A request to {@code /api/v2/connect} that is no WebSocket upgrade: 400.
   */
  static void requireWebSocket(RoutingContext ctx) {
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
      ctx.fail(new GatewayException(ErrorCode.INVALID_REQUEST, "this endpoint speaks WebSocket: open it with a "
        + "WebSocket upgrade and send an init message; POST /api/v2/execute runs a program without one"));
      return;
    }
    ctx.next();
  }

  @Override
  public String startType() {
    return "init";
  }

  @Override
  public JsonObject submitBody(JsonObject start) {
    JsonObject submit = mapper.toSubmit(start).submit();
    // Piston discards an init's stdin: the program's stdin is what data messages send
    submit.remove("stdin");
    return submit;
  }

  @Override
  public void dispatch(JsonObject msg, Session session) {
    Object type = msg.getValue("type");
    if ("init".equals(type)) {
      if (session.idle()) {
        session.startExecution();
      } else {
        session.close(ALREADY_INITIALIZED, violation("Already Initialized"));
      }
    } else if ("data".equals(type)) {
      if (session.idle()) {
        session.close(NOT_YET_INITIALIZED, violation("Not yet initialized"));
      } else if (!"stdin".equals(msg.getValue("stream"))) {
        session.close(ONLY_STDIN, violation("Can only write to stdin"));
      } else if (!(msg.getValue("data") instanceof String data)) {
        session.close(NOTIFIED_ERROR, GatewayException.invalid("data", "data must be a string"));
      } else {
        session.control(new Control(Control.Type.STDIN, data, null));
      }
    } else if ("signal".equals(type)) {
      if (session.idle()) {
        session.close(NOT_YET_INITIALIZED, violation("Not yet initialized"));
      } else if (!(msg.getValue("signal") instanceof String signal) || !Control.SENDABLE_SIGNALS.contains(signal)) {
        session.close(INVALID_SIGNAL, violation("Invalid signal"));
      } else if (session.controlAllowed("signal")) {
        session.control(new Control(Control.Type.SIGNAL, null, signal));
      }
    } else {
      // Piston ignores them; a flood of them is bounded like any refused message, silently
      session.refuse(null);
    }
  }

  private static GatewayException violation(String reason) {
    return new GatewayException(ErrorCode.PROTOCOL_VIOLATION, reason);
  }

  @Override
  public long startTimeoutMs() {
    return INIT_TIMEOUT_MS;
  }

  @Override
  public void startTimedOut(WebSocketSink sink) {
    sink.close(INITIALIZATION_TIMEOUT, "Initialization Timeout");
  }

  @Override
  public void admitted(WebSocketSink sink, ExecutionJob job) {
    sink.writeText(new JsonObject().put("type", "runtime").put("language", job.runtime().name())
      .put("version", job.runtime().version()));
  }

  @Override
  public FrameSink output(WebSocketSink sink, ExecutionJob job) {
    return new Output(sink, job);
  }

  @Override
  public void invalid(WebSocketSink sink, GatewayException error) {
    fail(sink, NOTIFIED_ERROR, error);
  }

  @Override
  public void refused(WebSocketSink sink, GatewayException error) {
    if (error != null) {
      // Piston has no message for a dropped one: an error without a close says it
      sink.writeText(error(error.getMessage()));
    }
  }

  @Override
  public void fail(WebSocketSink sink, int closeCode, GatewayException error) {
    if (error.code() == ErrorCode.PROTOCOL_VIOLATION && closeCode != NOTIFIED_ERROR) {
      // Piston closes on a violation with its reason alone
      sink.close(closeCode, error.getMessage());
      return;
    }
    // a close reason holds 123 bytes: the message goes first, as Piston does
    sink.writeText(error(error.getMessage()));
    sink.close(closeCode, closeCode == NOTIFIED_ERROR ? "Notified Error" : error.getMessage());
  }

  @Override
  public void binary(WebSocketSink sink) {
    fail(sink, NOTIFIED_ERROR, new GatewayException(ErrorCode.INVALID_JSON,
      "binary frames are not accepted; send JSON text frames"));
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("type", "error").put("message", message);
  }

  /**
   * An execution's frames as Piston's messages: a stage starts when the program starts (compile or
   * run); a compile step that succeeded ends its stage when it ends ({@code compiled} frame: the
   * compile stage's exit, then the run stage), as Piston does. Otherwise each stage's exit comes from
   * the final result (a failed compile step's code and signal are the result's).
   */
  private final class Output implements FrameSink {

    private final WebSocketSink sink;
    private final ExecutionJob job;
    private final boolean compiles;
    private String stage;

    Output(WebSocketSink sink, ExecutionJob job) {
      this.sink = sink;
      this.job = job;
      this.compiles = job.runtime().compile() != null;
    }

    @Override
    public void write(Frame frame) {
      switch (frame.type()) {
        case STATUS -> {
          if (frame.status() == ExecutionStatus.RUNNING && stage == null) {
            stage(compiles ? COMPILE : RUN);
          }
        }
        case STDOUT, STDERR -> {
          if (!Frame.COMPILE_STAGE.equals(frame.stage())) {
            runStarted();
          } else if (stage == null) {
            stage(COMPILE);
          }
          sink.writeText(new JsonObject().put("type", "data")
            .put("stream", frame.type() == Frame.Type.STDERR ? "stderr" : "stdout").put("data", frame.data()));
        }
        case COMPILED -> {
          if (Integer.valueOf(0).equals(frame.exitCode())) {
            runStarted();
          }
        }
        case EXIT -> exit(frame.result());
        default -> {
          // accepted, truncated (the exit's signal says it), keepalive: Piston has no message for them
        }
      }
    }

    private void runStarted() {
      if (RUN.equals(stage)) {
        return;
      }
      if (COMPILE.equals(stage)) {
        // the run step starts only after a compile step that succeeded
        sink.writeText(exitMessage(COMPILE, 0, null));
      }
      stage(RUN);
    }

    private void stage(String name) {
      stage = name;
      sink.writeText(new JsonObject().put("type", "stage").put("stage", name));
    }

    private void exit(ExecutionResult result) {
      if (result.status() == ExecutionStatus.ERROR) {
        PistonDialect.this.fail(sink, NOTIFIED_ERROR, new GatewayException(ErrorCode.INTERNAL,
          result.message() != null ? result.message() : "the execution failed"));
        return;
      }
      JsonObject piston = mapper.response(result, job.runtime(), null, null);
      JsonObject compile = piston.getJsonObject("compile");
      JsonObject run = piston.getJsonObject("run");
      boolean ran = compile == null
        || result.compile() != null && Integer.valueOf(0).equals(result.compile().exitCode());
      if (compile != null && !RUN.equals(stage)) {
        if (stage == null) {
          stage(COMPILE);
        }
        sink.writeText(exitMessage(COMPILE, compile.getInteger("code"), compile.getString("signal")));
      }
      if (ran) {
        if (!RUN.equals(stage)) {
          stage(RUN);
        }
        sink.writeText(exitMessage(RUN, run.getInteger("code"), run.getString("signal")));
      }
      sink.close(JOB_COMPLETED, "Job Completed");
    }

    private JsonObject exitMessage(String name, Integer code, String signal) {
      return new JsonObject().put("type", "exit").put("stage", name).put("code", code).put("signal", signal);
    }

    @Override
    public boolean writeQueueFull() {
      return sink.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
      sink.drainHandler(handler);
    }

    @Override
    public void end() {
      // the exit frame closed the socket; a stream that ended without one is closed here
      sink.close(JOB_COMPLETED, "Job Completed");
    }

    @Override
    public void fail(int closeCode, GatewayException error) {
      PistonDialect.this.fail(sink, NOTIFIED_ERROR, error);
    }
  }
}
