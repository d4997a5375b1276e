package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.client.ResultWaiter;
import io.execgate.client.RuntimeCatalog;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
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

  PistonApi(GatewayOptions options, ResultWaiter waiter, BodyDecoding decoding) {
    this.parser = new ExecutionRequestParser(options);
    this.mapper = new PistonMapper(options, new RuntimeCatalog(options));
    this.waiter = waiter;
    this.decoding = decoding;
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
    StringBuilder runOutput = new StringBuilder();
    StringBuilder compileOutput = new StringBuilder();
    waiter.submitAndWait(job, AuthHandler.principal(ctx), ExecutionApi.gone(ctx.response()), frame -> {
        if (frame.type() == Frame.Type.STDOUT || frame.type() == Frame.Type.STDERR) {
          (Frame.COMPILE_STAGE.equals(frame.stage()) ? compileOutput : runOutput).append(frame.data());
        }
      })
      .onSuccess(result -> {
        if (result.status() == ExecutionStatus.ERROR) {
          // Piston answers a job that could not run with a 5xx and a message
          send(ctx.response(), 500, result.message() != null ? result.message() : "the execution failed");
        } else {
          ctx.response().putHeader("content-type", "application/json")
            .end(mapper.response(result, request.runtime(), runOutput.toString(), compileOutput.toString()).encode());
        }
      })
      .onFailure(ctx::fail);
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
