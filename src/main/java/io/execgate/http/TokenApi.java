package io.execgate.http;

import io.execgate.auth.AuthOptions;
import io.execgate.auth.Principal;
import io.execgate.client.ExecutionControl;
import io.execgate.config.JsonReader;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/tokens}: a short-lived token standing for the caller's key on the streaming routes,
 * for browsers; with {@code {"execution": "<id>"}}, for that one execution of the key only. Only a
 * key mints (a token never reaches this route), and only up to its {@code auth.maxTokensPerKey}.
 */
final class TokenApi {

  private final AuthOptions options;
  private final Tokens tokens;
  private final ExecutionControl executions;

  TokenApi(AuthOptions options, Tokens tokens, ExecutionControl executions) {
    this.options = options;
    this.tokens = tokens;
    this.executions = executions;
  }

  void issue(RoutingContext ctx) {
    if (!options.isEnabled()) {
      ExecutionApi.respond(ctx, 200, new JsonObject().put("token", "").put("expiresInSeconds", 0)
        .put("message", "no API keys are configured: no token is needed"));
      return;
    }
    Principal principal = AuthHandler.principal(ctx);
    String execution = execution(ctx.body().buffer());
    Future<?> owned = execution == null ? Future.succeededFuture() : executions.find(execution, principal);
    owned.compose(v -> tokens.mint(principal.id(), execution))
      .onSuccess(issued -> {
        if (issued.token() == null) {
          ctx.response().putHeader("retry-after", String.valueOf(issued.retryAfterSeconds()));
          ctx.fail(new GatewayException(ErrorCode.QUOTA_EXCEEDED, "key '" + principal.id() + "' holds "
            + issued.held() + " unexpired tokens, its maximum (auth.maxTokensPerKey); the oldest expires in "
            + issued.retryAfterSeconds() + " s"));
          return;
        }
        JsonObject body = new JsonObject().put("token", issued.token())
          .put("expiresInSeconds", options.getTokenTtlSeconds()).put("scope", "stream");
        if (execution != null) {
          body.put("execution", execution);
        }
        ExecutionApi.respond(ctx, 201, body);
      })
      .onFailure(ctx::fail);
  }

  /**
   * @return the execution a token is asked for, or {@code null} (an empty body asks for none)
   */
  private static String execution(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    JsonReader r = new JsonReader(ExecutionRequestParser.decode(body), "", GatewayException::invalid);
    String execution = r.getString("execution", null);
    r.finish();
    return execution;
  }
}
