package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.ExecutionChannel;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.CloseCodes;
import io.execgate.stream.FrameRelay;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * One interactive WebSocket: {@code GET /v1/ws} ({@link NativeDialect}) or Piston's
 * {@code /api/v2/connect} ({@link PistonDialect}). The client starts one execution, then sends its
 * stdin and signals; it receives the execution's output. The socket owns its execution: a slow
 * reader pauses the program's output, and closing the socket cancels it. Control messages are held
 * to {@code http.controlRatePerSecond}, refused messages to {@code http.controlBurst} a second, a
 * message to {@code http.maxRequestBytes}, whatever the dialect.
 */
final class ExecutionSocket implements SocketDialect.Session {

  private static final Logger log = LoggerFactory.getLogger(ExecutionSocket.class);

  private enum State {
    IDLE, STARTING, RUNNING, ENDED
  }

  private final Vertx vertx;
  private final GatewayOptions options;
  private final Addresses addresses;
  private final ExecutionStore store;
  private final ExecutionApi api;
  private final SessionApi sessions;
  private final ExecutionRequestParser parser;
  private final SocketDialect dialect;

  private final ServerWebSocket ws;
  /** Who opened the socket: its executions are charged to this key. */
  private final Principal principal;
  private final WebSocketSink sink;
  /** Gives the socket's place among the node's streams back. */
  private final Runnable release;
  private final SocketMessageLimit limit;
  private State state = State.IDLE;
  private FrameRelay relay;
  private String executionId;
  private boolean socketClosed;
  private boolean admitted;
  private boolean exited;
  /** Pauses and yields the socket's reading. */
  private final SocketPacing pacing;
  /** Signals on their way to the execution (sent, not answered): a repeat is delivered with them. */
  private final Set<String> signalsOnTheirWay = new HashSet<>();
  /** Commands sent while the run is being admitted, sent on in order once it is. */
  private final EarlyControls early;
  /** The message being dispatched. */
  private Decoded current;
  /** Messages being decoded off the event loop. */
  private int decoding;
  private long startTimer = -1;

  ExecutionSocket(Vertx vertx, GatewayOptions options, Addresses addresses, ExecutionStore store, ExecutionApi api,
                  SessionApi sessions, ExecutionRequestParser parser, SocketDialect dialect, ServerWebSocket ws, Principal principal,
                  Runnable release) {
    this.dialect = dialect;
    this.principal = principal;
    this.release = release;
    this.vertx = vertx;
    this.options = options;
    this.addresses = addresses;
    this.store = store;
    this.api = api;
    this.sessions = sessions;
    this.parser = parser;
    this.ws = ws;
    this.sink = new WebSocketSink(vertx, ws, options.getHttp().getStreamKeepaliveMs());
    this.limit = new SocketMessageLimit(options.getHttp().getControlRatePerSecond(), options.getHttp().getControlBurst(),
      System.nanoTime());
    this.pacing = new SocketPacing(vertx, ws);
    this.early = new EarlyControls(options.getHttp().getMaxStdinBytes());
  }

  void start() {
    pacing.start(vertx.getOrCreateContext());
    ws.textMessageHandler(this::onMessage);
    ws.binaryMessageHandler(b -> {
      if (!socketClosed) {
        dialect.binary(sink);
      }
    });
    ws.exceptionHandler(sink::socketError);
    ws.closeHandler(v -> onClose());
    sink.keepalive(v -> onClose());
    if (dialect.startTimeoutMs() > 0) {
      startTimer = vertx.setTimer(dialect.startTimeoutMs(), t -> {
        startTimer = -1;
        if (state == State.IDLE && decoding == 0 && !socketClosed) {
          dialect.startTimedOut(sink);
          onClose();
        }
      });
    }
  }

  private void onMessage(String text) {
    if (state == State.ENDED || socketClosed) {
      return;
    }
    if (state == State.RUNNING) {
      // before admission every message is cheap (kept or refused) and their number is bounded
      pacing.yieldNow();
    }
    if (text.length() > options.getHttp().getMaxRequestBytes()) {
      sink.close(CloseCodes.MESSAGE_TOO_BIG, "a message may carry at most " + options.getHttp().getMaxRequestBytes()
        + " bytes");
      return;
    }
    if (text.length() > BodyDecoding.INLINE_BYTES) {
      // a large message (a run with big files) is decoded and validated off the event loop; the socket
      // is paused meanwhile, so that the messages after it keep their order
      pacing.pause();
      decoding++;
      api.decoding().decode(text.length(), () -> decode(text))
        .onComplete(ar -> {
          decoding--;
          pacing.resume();
          if (ar.succeeded()) {
            onMessage(ar.result());
          } else {
            decodeFailed(ar.cause());
          }
        });
      return;
    }
    try {
      onMessage(decode(text));
    } catch (GatewayException e) {
      decodeFailed(e);
    }
  }

  /**
   * A message decoded; a {@code run} also validated into its job (or the error that refuses it); a
   * {@code run} in a session is validated against the session when it starts.
   */
  record Decoded(JsonObject msg, ExecutionJob job, GatewayException invalid, String session, int size) {
  }

  /**
   * Decodes a message, and validates a run's submit body with it (both cost time in proportion to its
   * size); runs on a worker thread for a large message.
   */
  private Decoded decode(String text) {
    JsonObject msg = ExecutionRequestParser.decode(text);
    if (!dialect.startType().equals(msg.getValue("type"))) {
      return new Decoded(msg, null, null, null, text.length());
    }
    try {
      String session = dialect.session(msg);
      if (session != null) {
        return new Decoded(msg, null, null, session, text.length());
      }
      return new Decoded(msg, parser.parse(dialect.submitBody(msg), true).job(), null, null, text.length());
    } catch (GatewayException e) {
      return new Decoded(msg, null, e, null, text.length());
    }
  }

  private void decodeFailed(Throwable err) {
    GatewayException e = err instanceof GatewayException ge ? ge
      : new GatewayException(ErrorCode.INVALID_JSON, String.valueOf(err.getMessage()));
    dialect.invalid(sink, new GatewayException(e.code(), e.getMessage().replace("request body", "message")));
  }

  private void onMessage(Decoded decoded) {
    if (state == State.ENDED || socketClosed) {
      return;
    }
    current = decoded;
    try {
      dialect.dispatch(decoded.msg(), this);
    } finally {
      current = null;
    }
  }

  @Override
  public boolean idle() {
    return state == State.IDLE;
  }

  @Override
  public void startExecution() {
    run(current);
  }

  @Override
  public boolean controlAllowed(String type) {
    return allowed(limit.control(System.nanoTime()), "more than " + options.getHttp().getControlRatePerSecond()
      + " control messages (signal, cancel, stdin_close) per second, or " + options.getHttp().getControlBurst()
      + " at once; this " + type + " was dropped");
  }

  /**
   * @param error what the client is told, or {@code null} to refuse it silently
   */
  @Override
  public void refuse(GatewayException error) {
    refused(limit.refuse(System.nanoTime()), error);
  }

  @Override
  public void error(GatewayException error) {
    dialect.refused(sink, error);
  }

  @Override
  public void close(int closeCode, GatewayException error) {
    dialect.fail(sink, closeCode, error);
  }

  private void run(Decoded decoded) {
    if (state != State.IDLE || decoded == null) {
      return;
    }
    if (decoded.invalid() != null) {
      dialect.invalid(sink, decoded.invalid());
      return;
    }
    state = State.STARTING;
    if (decoded.session() == null) {
      run(decoded.job(), null);
      return;
    }
    GatewayException unavailable = sessions.unavailable();
    if (unavailable != null) {
      refusedAtStart(unavailable);
      return;
    }
    String session = decoded.session();
    JsonObject msg = decoded.msg();
    // the body is copied with its parse, off the event loop when large
    sessions.acquire(principal, session, decoded.size(), () -> dialect.submitBody(msg), true)
      .onSuccess(bound -> {
        if (socketClosed) {
          sessions.release(principal, session, bound.job().id());
        } else {
          run(bound.job(), session);
        }
      })
      .onFailure(err -> refusedAtStart(Replies.toGatewayException(err)));
  }

  /**
   * Submits {@code job}, bound to {@code session} when not {@code null} (which is freed if the job
   * is not admitted).
   */
  private void run(ExecutionJob job, String session) {
    executionId = job.id();
    relay = new FrameRelay(vertx, addresses, store, job.id(), 0, FrameRelay.Mode.OWNER,
      options.getHttp().getStreamBufferBytes(), options.getExecutor().getStreamRetainBytes(),
      // after the exit frame the socket closes
      new ObservedSink(dialect.output(sink, job), () -> {
        exited = true;
        state = State.ENDED;
      }, () -> state = State.ENDED));
    relay.subscribe()
      .compose(v -> api.waiter().admit(job, principal))
      .onSuccess(admission -> {
        admitted = true;
        if (socketClosed) {
          cancel();
          return;
        }
        state = State.RUNNING;
        dialect.admitted(sink, job);
        relay.start(false);
        early.sendTo(this::control);
      })
      .onFailure(err -> {
        if (session != null) {
          sessions.release(principal, session, job.id());
        }
        relay.stop();
        relay = null;
        executionId = null;
        refusedAtStart(Replies.toGatewayException(err));
      });
  }

  private void refusedAtStart(GatewayException error) {
    state = State.IDLE;
    early.clear();
    if (!socketClosed) {
      dialect.invalid(sink, error);
    }
  }

  @Override
  public void control(Control c) {
    if (state == State.IDLE) {
      return;
    }
    if (state == State.STARTING) {
      early(c);
      return;
    }
    if (c.type() == Control.Type.SIGNAL && !signalsOnTheirWay.add(c.signal())) {
      // the same signal is still on its way: the program gets it once, as with a repeated Ctrl-C
      return;
    }
    new ExecutionChannel(vertx.eventBus(), addresses).control(executionId, c)
      .onComplete(ar -> {
        if (c.type() == Control.Type.SIGNAL) {
          signalsOnTheirWay.remove(c.signal());
        }
      })
      .onFailure(err -> {
        if (state != State.ENDED && !socketClosed) {
          dialect.refused(sink, Replies.toGatewayException(err));
        }
      });
  }

  private void early(Control c) {
    GatewayException refusal = early.offer(c);
    if (refusal != null) {
      refused(limit.refuse(System.nanoTime()), refusal);
    }
  }

  /**
   * @return whether the message may go on; if not, the client was told (or the socket closed)
   */
  private boolean allowed(SocketMessageLimit.Verdict verdict, String why) {
    if (verdict == SocketMessageLimit.Verdict.ACCEPT) {
      return true;
    }
    refused(verdict, new GatewayException(ErrorCode.RATE_LIMITED, why));
    return false;
  }

  private void refused(SocketMessageLimit.Verdict verdict, GatewayException error) {
    if (verdict == SocketMessageLimit.Verdict.CLOSE) {
      log.atDebug().addKeyValue("execution", executionId).log("closing a socket that kept sending past its limits");
      dialect.fail(sink, CloseCodes.TOO_MANY_MESSAGES, new GatewayException(ErrorCode.RATE_LIMITED, "more than "
        + options.getHttp().getControlBurst() + " messages refused within a second"
        + (error == null ? "" : ": " + error.getMessage())));
      // whatever else it sent is not read: the connection ends with the closing handshake (or its timeout)
      pacing.pause();
      // the close handler runs once the peer answers; the execution is not left waiting for it
      onClose();
    } else if (error != null && !sink.writeQueueFull()) {
      // a client that does not read gets no more error frames than its socket's write queue holds
      dialect.refused(sink, error);
    }
  }

  private void onClose() {
    if (socketClosed) {
      return;
    }
    socketClosed = true;
    if (startTimer >= 0) {
      vertx.cancelTimer(startTimer);
      startTimer = -1;
    }
    release.run();
    sink.closed();
    if (relay != null) {
      relay.stop();
    }
    if (admitted && !exited) {
      // never leave an execution running without its owner
      cancel();
    }
  }

  private void cancel() {
    log.atDebug().addKeyValue("execution", executionId).log("its socket closed: cancelling");
    new ExecutionChannel(vertx.eventBus(), addresses).cancelAndForget(executionId);
  }
}
