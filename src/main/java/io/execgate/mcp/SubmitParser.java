package io.execgate.mcp;

import io.execgate.model.ExecutionJob;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The HTTP API's reading of a submit body ({@code POST /v1/executions}), handed to the MCP server so
 * that a tool call is validated exactly as a submit is: same rules, same error codes and messages.
 */
@FunctionalInterface
public interface SubmitParser {

  /**
   * @param submit a submit body ({@code language}, {@code version}, {@code script}, {@code stdin},
   *               {@code args}, {@code limits})
   * @return the validated job, or fails with the {@link io.execgate.error.GatewayException} the API answers with
   */
  Future<ExecutionJob> parse(JsonObject submit);
}
