package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.ExecutionChannel;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputPart;
import io.execgate.store.StoredRecord;
import io.execgate.store.TextSource;
import io.execgate.stream.CloseCodes;
import io.execgate.stream.FrameRelay;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;


/**
 * The streaming API: {@code GET /v1/executions/{id}/stream} (WebSocket watchers),
 * {@code GET /v1/executions/{id}/events} (Server-Sent Events), {@code GET /v1/executions/{id}/stdout} and
 * {@code /stderr} (raw bytes), {@code POST /v1/executions} with
 * {@code Accept: application/x-ndjson}, and {@code GET /v1/ws} (interactive, {@link ExecutionSocket}).
 */
final class StreamRoutes {

  static final String NDJSON = "application/x-ndjson";
  /** On the raw output of a finished execution: whether that stream passed its cap. */
  static final String TRUNCATED_HEADER = "x-execgate-truncated";

  private final Vertx vertx;
  private final GatewayOptions options;
  private final Addresses addresses;
  private final ExecutionStore store;
  private final ExecutionApi api;
  private final ExecutionRequestParser parser;
  private final StreamLimits limits;
  private final SessionApi sessions;

  StreamRoutes(Vertx vertx, GatewayOptions options, ExecutionStore store, ExecutionApi api, SessionApi sessions) {
    this.sessions = sessions;
    this.vertx = vertx;
    this.options = options;
    this.addresses = new Addresses(options.getAddressPrefix());
    this.store = store;
    this.api = api;
    this.parser = new ExecutionRequestParser(options);
    this.limits = new StreamLimits(vertx, options.getAddressPrefix(), options.getHttp().getMaxStreams());
  }

  /**
   * @return the streams open on this node
   */
  int openStreams() {
    return limits.open();
  }

  /**
   * {@code GET /v1/executions/{id}/stream} that is no WebSocket upgrade: refused before the execution is
   * looked up.
   */
  static void requireWebSocket(RoutingContext ctx) {
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
      ctx.fail(new GatewayException(ErrorCode.INVALID_REQUEST, "this endpoint speaks WebSocket; for Server-Sent Events "
        + "use /v1/executions/{id}/events"));
      return;
    }
    ctx.next();
  }

  /**
   * {@code GET /v1/executions/{id}/stream}: a watcher's WebSocket, from {@code ?fromSeq=} (default 0).
   */
  void watch(RoutingContext ctx) {
    long fromSeq = seq(ctx.request().getParam("fromSeq"), "fromSeq", 0);
    // read, and checked as the caller's, ahead of this route
    String id = OwnedResources.<StoredRecord>resource(ctx).result().id();
    // refused before the upgrade: the client sees the 429 and its Retry-After
    Runnable release = limits.open(ctx);
    ctx.request().toWebSocket()
      .onSuccess(ws -> watch(ws, id, fromSeq, release))
      .onFailure(err -> {
        release.run();
        ctx.fail(err);
      });
  }

  private void watch(ServerWebSocket ws, String id, long fromSeq, Runnable release) {
    WebSocketSink sink = new WebSocketSink(vertx, ws, options.getHttp().getStreamKeepaliveMs());
    FrameRelay relay = new FrameRelay(vertx, addresses, store, id, fromSeq, FrameRelay.Mode.WATCHER,
      options.getHttp().getStreamBufferBytes(), options.getExecutor().getStreamRetainBytes(), sink);
    Handler<Void> gone = v -> {
      release.run();
      sink.closed();
      relay.stop();
    };
    ws.closeHandler(gone);
    ws.textMessageHandler(text -> sink.error(new GatewayException(ErrorCode.INVALID_REQUEST,
      "this stream is read-only; commands go to /v1/ws")));
    ws.binaryMessageHandler(b -> sink.close(CloseCodes.PROTOCOL_VIOLATION, "binary frames are not accepted"));
    ws.exceptionHandler(sink::socketError);
    sink.keepalive(gone);
    relay.subscribe()
      .onSuccess(v -> relay.start(true))
      .onFailure(err -> sink.fail(CloseCodes.STREAM_FAILED, new GatewayException(ErrorCode.INTERNAL,
        "cannot subscribe to the execution's output: " + err.getMessage())));
  }

  /**
   * {@code GET /v1/executions/{id}/events}: Server-Sent Events, resumed after {@code Last-Event-ID}
   * (or from {@code ?fromSeq=}).
   */
  void events(RoutingContext ctx) {
    String lastEventId = ctx.request().getHeader("last-event-id");
    long fromSeq = lastEventId != null && !lastEventId.isBlank()
      ? seq(lastEventId.trim(), "Last-Event-ID", 0) + 1
      : seq(ctx.request().getParam("fromSeq"), "fromSeq", 0);
    String id = OwnedResources.<StoredRecord>resource(ctx).result().id();
    Runnable release = limits.open(ctx);
    // the end of the response, or of its connection, gives the place back
    ctx.addEndHandler(ar -> release.run());
    ResponseSink sink = new ResponseSink(vertx, ctx.response(), ResponseSink.Format.SSE);
    FrameRelay relay = new FrameRelay(vertx, addresses, store, id, fromSeq, FrameRelay.Mode.WATCHER,
      options.getHttp().getStreamBufferBytes(), options.getExecutor().getStreamRetainBytes(), sink);
    ctx.response().closeHandler(v -> {
      sink.closed();
      relay.stop();
    });
    sink.keepalive(options.getHttp().getStreamKeepaliveMs());
    relay.subscribe().onSuccess(v -> relay.start(true)).onFailure(ctx::fail);
  }

  /**
   * {@code GET /v1/executions/{id}/stdout} and {@code /stderr}: the run's bytes of that stream, from
   * {@code ?offset=} (default 0) through live output to the end. A watcher as the event streams are:
   * a client that does not read falls behind, is cut off, and costs no more than a watcher's buffer.
   */
  void raw(RoutingContext ctx, boolean stderr) {
    long offset = seq(ctx.request().getParam("offset"), "offset", 0);
    ExecutionResult result = OwnedResources.<StoredRecord>resource(ctx).result();
    boolean truncated = stderr ? result.stderrTruncated() : result.stdoutTruncated();
    long omitted = stderr ? result.retention().stderrOmittedBytes() : result.retention().stdoutOmittedBytes();
    if (result.status().isFinal() && (result.retention().evicted() || omitted > 0)) {
      // the rebuilt stream would lack bytes, and every offset after them would be wrong
      throw new GatewayException(ErrorCode.REPLAY_UNAVAILABLE, "the " + (stderr ? "stderr" : "stdout")
        + " of execution " + result.id() + " is no longer held whole (" + (result.retention().evicted()
        ? "its output was evicted" : omitted + " bytes were not kept") + "); read /v1/executions/" + result.id());
    }
    Runnable release = limits.open(ctx);
    ctx.addEndHandler(ar -> release.run());
    HttpServerResponse response = ctx.response();
    if (result.status().isFinal()) {
      response.putHeader(TRUNCATED_HEADER, String.valueOf(truncated));
    }
    RawOutputSink sink = new RawOutputSink(response, stderr, offset);
    if (result.status().isFinal()) {
      // the record holds this stream whole: read from it, a piece at a time, with no frame in between
      response.closeHandler(v -> sink.closed());
      pumpRecord(store.text(OwnedResources.resource(ctx), stderr ? OutputPart.STDERR : OutputPart.STDOUT), sink,
        response);
      return;
    }
    FrameRelay relay = new FrameRelay(vertx, addresses, store, result.id(), 0, FrameRelay.Mode.WATCHER,
      options.getHttp().getStreamBufferBytes(), options.getExecutor().getStreamRetainBytes(), sink);
    response.closeHandler(v -> {
      sink.closed();
      relay.stop();
    });
    relay.subscribe().onSuccess(v -> relay.start(true)).onFailure(ctx::fail);
  }

  private static void pumpRecord(TextSource source, RawOutputSink sink, HttpServerResponse response) {
    if (sink.isClosed()) {
      return;
    }
    if (response.writeQueueFull()) {
      response.drainHandler(v -> pumpRecord(source, sink, response));
      return;
    }
    source.next().onComplete(ar -> {
      if (ar.failed()) {
        // a piece evicted while being read
        sink.fail(CloseCodes.STREAM_FAILED, new GatewayException(ErrorCode.REPLAY_UNAVAILABLE,
          "cannot read the execution's output: " + ar.cause().getMessage()));
      } else if (ar.result() == null) {
        sink.end();
      } else {
        sink.text(ar.result());
        pumpRecord(source, sink, response);
      }
    });
  }

  /**
   * {@code POST /v1/executions} with {@code Accept: application/x-ndjson}: submits and streams the
   * frames in the response body. The requester owns the execution: a slow reader pauses the program's
   * output, and closing the response cancels it. Other requests go on to the next handler.
   */
  void ndjson(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    if (accept == null || !accept.contains(NDJSON)) {
      ctx.next();
      return;
    }
    Runnable release = limits.open(ctx);
    ctx.addEndHandler(ar -> release.run());
    api.parse(ctx.body().buffer(), false)
      .onSuccess(submit -> streamNdjson(ctx, submit.job(), submit.callbackUrl()))
      .onFailure(ctx::fail);
  }

  private void streamNdjson(RoutingContext ctx, ExecutionJob job, String callbackUrl) {
    ResponseSink sink = new ResponseSink(vertx, ctx.response(), ResponseSink.Format.NDJSON);
    FrameRelay relay = new FrameRelay(vertx, addresses, store, job.id(), 0, FrameRelay.Mode.OWNER,
      options.getHttp().getStreamBufferBytes(), options.getExecutor().getStreamRetainBytes(), sink);
    ctx.response().closeHandler(v -> {
      sink.closed();
      if (!relay.isDone()) {
        relay.stop();
        cancel(job.id());
      }
    });
    relay.subscribe()
      .compose(v -> api.callbacks().around(callbackUrl, false, job.id(), AuthHandler.principal(ctx),
        () -> api.waiter().admit(job, AuthHandler.principal(ctx))))
      .onSuccess(admission -> {
        sink.keepalive(options.getHttp().getStreamKeepaliveMs());
        relay.start(false);
      })
      .onFailure(err -> {
        relay.stop();
        ctx.fail(err);
      });
  }

  /**
   * {@code GET /v1/ws}: the interactive WebSocket.
   */
  void interactive(RoutingContext ctx) {
    interactive(ctx, new NativeDialect());
  }

  /**
   * An interactive WebSocket speaking {@code dialect} ({@code /v1/ws}, Piston's {@code /api/v2/connect}).
   */
  void interactive(RoutingContext ctx, SocketDialect dialect) {
    Runnable release = limits.open(ctx);
    ctx.request().toWebSocket()
      .onSuccess(ws -> new ExecutionSocket(vertx, options, addresses, store, api, sessions, parser, dialect, ws,
        AuthHandler.principal(ctx), release).start())
      .onFailure(err -> {
        release.run();
        ctx.fail(err);
      });
  }

  void cancel(String id) {
    new ExecutionChannel(vertx.eventBus(), addresses).cancelAndForget(id);
  }


  private static long seq(String value, String name, long def) {
    if (value == null || value.isEmpty()) {
      return def;
    }
    try {
      long seq = Long.parseLong(value);
      if (seq >= 0) {
        return seq;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw GatewayException.invalid(name, name + " must be a non-negative integer, got '" + value + "'");
  }
}
