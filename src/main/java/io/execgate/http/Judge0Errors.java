package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judge0's error shapes: {@code 422 {"field": ["message"]}} for a submission refused (the gateway's
 * own refusals under the Judge0 field they concern), else {@code {"error": "..."}} with the gateway's
 * status.
 */
final class Judge0Errors {

  private static final Logger log = LoggerFactory.getLogger(Judge0Errors.class);

  private Judge0Errors() {
  }

  /**
   * @return a refusal of the gateway's own rules in Judge0's shape, under the Judge0 field it concerns
   */
  static JsonObject fieldErrors(GatewayException e) {
    String field = e.field() == null ? "source_code" : judge0Field(e.field());
    return new JsonObject().put(field, new JsonArray().add(e.getMessage()));
  }

  static String judge0Field(String field) {
    if (field.startsWith("script") || field.startsWith("files")) {
      return "source_code";
    }
    if (field.startsWith("args")) {
      return "command_line_arguments";
    }
    return switch (field) {
      case "language", "version", "image" -> "language_id";
      case "limits.timeoutMs" -> "wall_time_limit";
      case "limits.memoryMb" -> "memory_limit";
      case "limits.outputBytes" -> "max_file_size";
      default -> field;
    };
  }

  /**
   * Judge0's error shapes: {@code 422 {"field": ["message"]}} for a submission refused, else
   * {@code {"error": "..."}} with the gateway's status (404 for an unknown or another key's token).
   */
  static void failure(RoutingContext ctx, int status) {
    if (ctx.failure() instanceof HttpClosedException || ctx.response().closed() || ctx.response().ended()) {
      return;
    }
    if (ctx.failure() instanceof Judge0Request.Invalid invalid) {
      send(ctx, 422, invalid.errors());
      return;
    }
    GatewayException ge = ApiErrors.toGatewayException(ctx.failure(), ctx.statusCode() > 0 ? ctx.statusCode() : status);
    if (ge.code() == ErrorCode.INTERNAL) {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    }
    int answer = ge.code().httpStatus();
    if ((answer == 400 || answer == 422) && ge.field() != null) {
      send(ctx, 422, fieldErrors(ge));
      return;
    }
    if (answer == 429 || answer == 503) {
      ctx.response().putHeader("retry-after", "1");
    }
    sendError(ctx, answer, ge.getMessage());
  }

  static void sendError(RoutingContext ctx, int status, String message) {
    send(ctx, status, new JsonObject().put("error", message));
  }

  static void send(RoutingContext ctx, int status, Object json) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.response().end();
      return;
    }
    String text = json instanceof JsonObject o ? o.encode() : ((JsonArray) json).encode();
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(text);
  }
}
