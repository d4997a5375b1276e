package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place where failures become HTTP responses:
 * {@code {"error":{"code","message","field"}}} with the code's status.
 */
final class ApiErrors {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
  /** Context key: the index of the batch item at fault, added to the error as {@code "index"}. */
  static final String INDEX = "execgate.errorIndex";

  private ApiErrors() {
  }

  /**
   * Router failure handler.
   */
  static void handle(RoutingContext ctx) {
    handle(ctx, ctx.statusCode());
  }

  /**
   * Router error handler for {@code status}: Vert.x Web calls it for failures it met itself (no
   * route, wrong method, undecodable path), without setting the context's status or failure.
   */
  static void handle(RoutingContext ctx, int status) {
    if (ctx.failure() instanceof HttpClosedException || ctx.response().closed()) {
      // the client went away (mid-body, or while waiting): nobody to answer, nothing went wrong here
      log.debug("{} {}: the client closed the connection", ctx.request().method(), ctx.request().path());
      return;
    }
    GatewayException ge = toGatewayException(ctx.failure(), ctx.statusCode() > 0 ? ctx.statusCode() : status);
    if (ge.code() == ErrorCode.INTERNAL) {
      log.error("{} {} failed (status {})", ctx.request().method(), ctx.request().path(), ctx.statusCode(), ctx.failure());
    }
    send(ctx.response(), ge, ctx.get(INDEX));
  }

  static void send(HttpServerResponse response, GatewayException ge) {
    send(response, ge, null);
  }

  /**
   * @param index the index of the batch item at fault, or {@code null}
   */
  static void send(HttpServerResponse response, GatewayException ge, Integer index) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.end();
      return;
    }
    JsonObject error = new JsonObject().put("code", ge.code().id()).put("message", ge.getMessage());
    if (ge.field() != null) {
      error.put("field", ge.field());
    }
    if (index != null) {
      error.put("index", index);
    }
    response.setStatusCode(ge.code().httpStatus()).putHeader("content-type", "application/json");
    if ((ge.code().httpStatus() == 429 || ge.code().httpStatus() == 503) && !response.headers().contains("retry-after")) {
      response.putHeader("retry-after", "1");
    }
    response.end(new JsonObject().put("error", error).encode());
  }

  static GatewayException toGatewayException(Throwable failure, int statusCode) {
    if (failure instanceof GatewayException ge) {
      return ge;
    }
    if (failure instanceof ReplyException) {
      return Replies.toGatewayException(failure);
    }
    int status = failure instanceof HttpException he ? he.getStatusCode() : statusCode;
    return switch (status) {
      case 400 -> new GatewayException(ErrorCode.INVALID_REQUEST, "malformed request (check the URI's encoding)");
      case 401 -> new GatewayException(ErrorCode.UNAUTHORIZED, "authentication required");
      case 403 -> new GatewayException(ErrorCode.FORBIDDEN, "forbidden");
      case 404 -> new GatewayException(ErrorCode.NOT_FOUND, "no such resource");
      case 405 -> new GatewayException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this resource");
      case 406 -> new GatewayException(ErrorCode.NOT_ACCEPTABLE, "cannot produce the requested content type");
      case 413 -> new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is too large");
      case 415 -> new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the request body must be application/json");
      default -> failure != null
        ? new GatewayException(ErrorCode.INTERNAL, "internal error", null, failure)
        : new GatewayException(ErrorCode.INTERNAL, "internal error");
    };
  }
}
