package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.Frame;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.CloseCodes;
import io.execgate.stream.FrameRelay;
import io.execgate.stream.FrameSink;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * One interactive WebSocket ({@code GET /v1/ws}): the client sends {@code run} (the submit body
 * plus {@code "type":"run"}), then {@code stdin}, {@code stdin_close}, {@code signal} and
 * {@code cancel}; it receives the execution's frames. The socket owns its execution: a slow reader
 * pauses the program's output, and closing the socket cancels it. A message the gateway cannot
 * take gets an {@code error} frame; a protocol violation closes the socket with a 4000-range code.
 */
final class ExecutionSocket {

  private static final Logger log = LoggerFactory.getLogger(ExecutionSocket.class);
  private static final long CONTROL_TIMEOUT_MS = 30_000;

  private enum State {
    IDLE, STARTING, RUNNING, ENDED
  }

  private final Vertx vertx;
  private final GatewayOptions options;
  private final Addresses addresses;
  private final ExecutionStore store;
  private final ExecutionApi api;
  private final ExecutionRequestParser parser;

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

  ExecutionSocket(Vertx vertx, GatewayOptions options, Addresses addresses, ExecutionStore store, ExecutionApi api,
                  ExecutionRequestParser parser, ServerWebSocket ws, Principal principal, Runnable release) {
    this.principal = principal;
    this.release = release;
    this.vertx = vertx;
    this.options = options;
    this.addresses = addresses;
    this.store = store;
    this.api = api;
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
    ws.binaryMessageHandler(b -> violation("binary frames are not accepted; send JSON text frames"));
    ws.exceptionHandler(err -> onSocketError(sink, err));
    ws.closeHandler(v -> onClose());
    sink.keepalive(v -> onClose());
  }

  /**
   * A socket error: a message over the size limit closes with {@link CloseCodes#MESSAGE_TOO_BIG}.
   */
  static void onSocketError(WebSocketSink sink, Throwable err) {
    String m = String.valueOf(err.getMessage());
    if (m.contains("max message size") || m.contains("Max frame length")) {
      sink.close(CloseCodes.MESSAGE_TOO_BIG, "message too big");
    } else {
      log.debug("websocket error: {}", m);
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
      api.decoding().decode(text.length(), () -> decode(text))
        .onComplete(ar -> {
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
   * A message decoded; a {@code run} also validated into its job (or the error that refuses it).
   */
  private record Decoded(JsonObject msg, ExecutionJob job, GatewayException invalid) {
  }

  /**
   * Decodes a message, and validates a run's submit body with it (both cost time in proportion to its
   * size); runs on a worker thread for a large message.
   */
  private Decoded decode(String text) {
    JsonObject msg = ExecutionRequestParser.decode(text);
    if (!"run".equals(msg.getValue("type"))) {
      return new Decoded(msg, null, null);
    }
    JsonObject body = msg.copy();
    body.remove("type");
    body.remove("wait");
    try {
      return new Decoded(msg, parser.parse(body, true).job(), null);
    } catch (GatewayException e) {
      return new Decoded(msg, null, e);
    }
  }

  private void decodeFailed(Throwable err) {
    GatewayException e = err instanceof GatewayException ge ? ge
      : new GatewayException(ErrorCode.INVALID_JSON, String.valueOf(err.getMessage()));
    sink.error(new GatewayException(e.code(), e.getMessage().replace("request body", "message")));
  }

  private void onMessage(Decoded decoded) {
    if (state == State.ENDED || socketClosed) {
      return;
    }
    JsonObject msg = decoded.msg();
    Object type = msg.getValue("type");
    if (!(type instanceof String t)) {
      sink.error(GatewayException.invalid("type", "every message needs a string type: run, stdin, stdin_close, "
        + "signal or cancel"));
      return;
    }
    if ((t.equals("signal") || t.equals("cancel") || t.equals("stdin_close"))
      && !allowed(limit.control(System.nanoTime()), "more than " + options.getHttp().getControlRatePerSecond()
      + " control messages (signal, cancel, stdin_close) per second, or " + options.getHttp().getControlBurst()
      + " at once; this " + t + " was dropped")) {
      return;
    }
    switch (t) {
      case "run" -> run(decoded);
      case "stdin" -> {
        Object data = msg.getValue("data");
        if (!(data instanceof String s)) {
          sink.error(GatewayException.invalid("data", "stdin needs a string data"));
        } else {
          control(new Control(Control.Type.STDIN, s, null));
        }
      }
      case "stdin_close" -> control(new Control(Control.Type.STDIN_CLOSE, null, null));
      case "signal" -> {
        Object signal = msg.getValue("signal");
        if (!(signal instanceof String s)) {
          sink.error(GatewayException.invalid("signal", "signal needs a string signal, e.g. SIGINT"));
        } else {
          control(new Control(Control.Type.SIGNAL, null, s));
        }
      }
      case "cancel" -> control(Control.cancel());
      default -> sink.error(GatewayException.invalid("type", "unknown message type '" + t
        + "'; expected run, stdin, stdin_close, signal or cancel"));
    }
  }

  private void run(Decoded decoded) {
    if (state != State.IDLE) {
      violation("one execution per socket: a run was already sent");
      return;
    }
    if (decoded.invalid() != null) {
      sink.error(decoded.invalid());
      return;
    }
    ExecutionJob job = decoded.job();
    state = State.STARTING;
    executionId = job.id();
    relay = new FrameRelay(vertx, addresses, store, job.id(), 0, FrameRelay.Mode.OWNER,
      options.getHttp().getStreamBufferBytes(), options.getExecutor().getStreamRetainBytes(), new OwnerSink());
    relay.subscribe()
      .compose(v -> api.waiter().admit(job, principal))
      .onSuccess(admission -> {
        admitted = true;
        if (socketClosed) {
          cancel();
          return;
        }
        state = State.RUNNING;
        relay.start(false);
        early.sendTo(this::control);
      })
      .onFailure(err -> {
        relay.stop();
        relay = null;
        executionId = null;
        state = State.IDLE;
        early.clear();
        sink.error(Replies.toGatewayException(err));
      });
  }

  private void control(Control c) {
    if (state == State.IDLE) {
      refused(limit.refuse(System.nanoTime()), new GatewayException(ErrorCode.PROTOCOL_VIOLATION,
        "no execution yet: send run first"));
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
    vertx.eventBus()
      .request(addresses.control(executionId), c, new DeliveryOptions().setSendTimeout(CONTROL_TIMEOUT_MS))
      .onComplete(ar -> {
        if (c.type() == Control.Type.SIGNAL) {
          signalsOnTheirWay.remove(c.signal());
        }
      })
      .onFailure(err -> {
        if (state != State.ENDED) {
          sink.error(Replies.toGatewayException(err));
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
      sink.fail(CloseCodes.TOO_MANY_MESSAGES, new GatewayException(ErrorCode.RATE_LIMITED, "more than " + options
        .getHttp().getControlBurst() + " messages refused within a second: " + error.getMessage()));
      // whatever else it sent is not read: the connection ends with the closing handshake (or its timeout)
      pacing.pause();
      // the close handler runs once the peer answers; the execution is not left waiting for it
      onClose();
    } else if (!sink.writeQueueFull()) {
      // a client that does not read gets no more error frames than its socket's write queue holds
      sink.error(error);
    }
  }

  private void violation(String reason) {
    sink.fail(CloseCodes.PROTOCOL_VIOLATION, new GatewayException(ErrorCode.PROTOCOL_VIOLATION, reason));
  }

  private void onClose() {
    if (socketClosed) {
      return;
    }
    socketClosed = true;
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
    vertx.eventBus().send(addresses.control(executionId), Control.cancel());
  }

  /**
   * The execution's frames go to the socket; after the exit frame the socket closes normally.
   */
  private final class OwnerSink implements FrameSink {

    @Override
    public void write(Frame frame) {
      sink.write(frame);
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
      exited = true;
      state = State.ENDED;
      sink.end();
    }

    @Override
    public void fail(int closeCode, GatewayException error) {
      state = State.ENDED;
      sink.fail(closeCode, error);
    }
  }
}
