package io.execgate.mcp;

import io.execgate.config.ConfigException;
import io.execgate.config.McpOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class McpToolsTest {

  @Test
  void aResultReadsAsTextWithItsStreamsAndTruncation() {
    ExecutionResult result = new ExecutionResult("id", ExecutionStatus.FAILED, 2, null, "out", "err\n", true, false,
      "img", "sh", 12L, 1L, null, null, 0L);
    JsonObject tool = McpTools.runResult(result);
    assertThat(tool.getBoolean("isError")).isFalse();
    assertThat(tool.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo(
      "status: failed\nexit code: 2\nduration: 12 ms\n--- stdout (truncated at the output limit) ---\nout\n"
        + "--- stderr ---\nerr\n");
    assertThat(tool.getJsonObject("structuredContent").getInteger("exitCode")).isEqualTo(2);
    ExecutionResult error = new ExecutionResult("id", ExecutionStatus.ERROR, null, null, null, null, false, false,
      "img", "sh", null, null, null, "the image is gone", 0L);
    assertThat(McpTools.runResult(error).getBoolean("isError")).isTrue();
  }

  @Test
  void aFailureIsAToolErrorWithTheApisCodeAndMessage() {
    JsonObject tool = McpTools.toolError(new GatewayException(ErrorCode.UNSUPPORTED_LANGUAGE,
      "unknown language 'x'; available: sh 1", "language"));
    assertThat(tool.getBoolean("isError")).isTrue();
    assertThat(tool.getJsonArray("content").getJsonObject(0).getString("text"))
      .isEqualTo("unsupported_language (HTTP 400): unknown language 'x'; available: sh 1");
    assertThat(tool.getJsonObject("structuredContent")).isEqualTo(new JsonObject().put("error", new JsonObject()
      .put("code", "unsupported_language").put("message", "unknown language 'x'; available: sh 1")
      .put("field", "language")));
  }

  @Test
  void optionsRoundTripAndRefuseNonsense() {
    McpOptions options = new McpOptions().setMaxSessionsPerKey(3).setSessionIdleSeconds(5).setEnabled(false);
    assertThat(new McpOptions(options.toJson()).toJson()).isEqualTo(options.toJson());
    assertThat(new McpOptions(new JsonObject()).toJson()).isEqualTo(new McpOptions().toJson());
    assertThatThrownBy(() -> new McpOptions(new JsonObject().put("maxSessionsPerKey", 0)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("mcp.maxSessionsPerKey");
    assertThatThrownBy(() -> new McpOptions(new JsonObject().put("maxSessionsPerKey", 10).put("maxSessions", 5)))
      .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new McpOptions(new JsonObject().put("sessions", 5))).isInstanceOf(ConfigException.class);
  }
}
