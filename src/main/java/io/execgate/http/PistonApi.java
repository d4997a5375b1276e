package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.request.RuntimeCatalog;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputPart;
import io.execgate.store.StoredRecord;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Piston-compatible surface ({@code /api/v2}), so that existing code-runner clients work
 * unchanged: {@code GET /api/v2/runtimes} and {@code POST /api/v2/execute}, with Piston's request
 * fields, response shape and error shape ({@code {"message": ...}}, 400 for a bad request). An
 * execution takes the same path as {@code POST /v1/executions?wait=true}.
 */
final class PistonApi {

  private static final Logger log = LoggerFactory.getLogger(PistonApi.class);

  private final ExecutionRequestParser parser;
  private final PistonMapper mapper;
  private final ResultWaiter waiter;
  private final BodyDecoding decoding;
  private final ExecutionStore store;

  PistonApi(GatewayOptions options, ResultWaiter waiter, BodyDecoding decoding, ExecutionStore store) {
    this.parser = new ExecutionRequestParser(options);
    this.mapper = new PistonMapper(options, new RuntimeCatalog(options));
    this.waiter = waiter;
    this.decoding = decoding;
    this.store = store;
  }

  /**
   * A Piston request decoded, translated and validated.
   */
  private record Parsed(PistonMapper.Request request, ExecutionJob job) {
  }

  void runtimes(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(mapper.runtimes().encode());
  }

  void execute(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("content-type");
    if (contentType == null || !contentType.startsWith("application/json")) {
      throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "requests must be of type application/json");
    }
    Buffer body = ctx.body().buffer();
    // a large body is decoded on a worker thread: megabytes of JSON would hold the event loop
    decoding.decode(body == null ? 0 : body.length(), () -> {
        PistonMapper.Request request = mapper.toSubmit(ExecutionRequestParser.decode(body));
        return new Parsed(request, parser.parse(request.submit(), false).job());
      })
      .onSuccess(parsed -> run(ctx, parsed.request(), parsed.job()))
      .onFailure(ctx::fail);
  }

  private void run(RoutingContext ctx, PistonMapper.Request request, ExecutionJob job) {
    // the order the streams arrived in, not their text: that is read from the record as it is sent
    Interleaving runOrder = new Interleaving();
    Interleaving compileOrder = new Interleaving();
    waiter.submitAndWait(job, AuthHandler.principal(ctx), ExecutionApi.gone(ctx.response()), frame -> {
        if (frame.type() == Frame.Type.STDOUT || frame.type() == Frame.Type.STDERR) {
          (Frame.COMPILE_STAGE.equals(frame.stage()) ? compileOrder : runOrder)
            .add(frame.type() == Frame.Type.STDERR, frame.data().length());
        }
      })
      .onSuccess(record -> {
        ExecutionResult result = record.result();
        if (result.status() == ExecutionStatus.ERROR) {
          // Piston answers a job that could not run with a 5xx and a message
          send(ctx.response(), 500, result.message() != null ? result.message() : "the execution failed");
        } else if (!ctx.response().ended() && !ctx.response().closed()) {
          respond(ctx, request, record, runOrder, compileOrder);
        }
      })
      .onFailure(ctx::fail);
  }

  /**
   * Piston's answer, its texts written from the record as the client takes them.
   */
  private void respond(RoutingContext ctx, PistonMapper.Request request, StoredRecord record, Interleaving runOrder,
                       Interleaving compileOrder) {
    StreamedJson body = new StreamedJson();
    String[] texts = new String[OutputPart.values().length];
    for (OutputPart part : OutputPart.values()) {
      texts[part.ordinal()] = record.has(part) ? body.slot(() -> store.text(record, part)) : "";
    }
    String runOutput = interleaved(body, record, runOrder, OutputPart.STDOUT, OutputPart.STDERR);
    String compileOutput = interleaved(body, record, compileOrder, OutputPart.COMPILE_STDOUT,
      OutputPart.COMPILE_STDERR);
    JsonObject json = mapper.response(record.result().withOutput(texts[0], texts[1], texts[2], texts[3]),
      request.runtime(), runOutput, compileOutput, true);
    if (record.result().retention().evicted()) {
      // Piston's shape has no field for it: the stage's message says why its output is empty
      JsonObject run = json.getJsonObject("run");
      if (run.getString("message") == null) {
        run.put("message", "the output was evicted from the record (executor.outputRetention)");
      }
    }
    body.send(ctx.response(), 200, json);
  }

  /**
   * @return the placeholder of a step's interleaved output when the order seen holds exactly the
   *   record's two texts, else {@code null} (Piston's {@code output} is then stdout then stderr)
   */
  private String interleaved(StreamedJson body, StoredRecord record, Interleaving order, OutputPart out,
                             OutputPart err) {
    if (!record.has(out) || !order.matches(record.chars(out), record.chars(err))) {
      return null;
    }
    return body.slot(() -> order.over(store.text(record, out), store.text(record, err)));
  }

  /**
   * Failure handler of the {@code /api/v2} routes: Piston's error shape, 400 for any problem with
   * the request.
   */
  void failure(RoutingContext ctx) {
    GatewayException ge = ApiErrors.toGatewayException(ctx.failure(), ctx.statusCode());
    if (ge.code() == ErrorCode.INTERNAL) {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    }
    int status = ge.code().httpStatus();
    if (status == 403 || status == 422) {
      status = 400;
    }
    if (status == 429 || status == 503) {
      ctx.response().putHeader("retry-after", "1");
    }
    send(ctx.response(), status, ge.getMessage());
  }

  private static void send(HttpServerResponse response, int status, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.end();
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json")
      .end(new JsonObject().put("message", message).encode());
  }
}
