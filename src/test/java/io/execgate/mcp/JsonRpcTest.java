package io.execgate.mcp;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonRpcTest {

  private static void assertFailure(String body, int code, String message) {
    assertThatThrownBy(() -> JsonRpc.decode(Buffer.buffer(body)))
      .isInstanceOfSatisfying(JsonRpc.Failure.class, f -> assertThat(f.code).isEqualTo(code))
      .hasMessageStartingWith(message);
  }

  @Test
  void decodesAMessageOrABatch() {
    assertThat(JsonRpc.decode(Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")))
      .isEqualTo(new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "ping"));
    assertThat(JsonRpc.decode(Buffer.buffer("[{}]"))).isInstanceOf(JsonArray.class);
  }

  @Test
  void refusesWhatIsNotOneJsonObjectWithinTheLimits() {
    assertFailure("", JsonRpc.PARSE_ERROR, "Parse error: the body is empty");
    assertFailure("{\"a\":", JsonRpc.PARSE_ERROR, "Parse error");
    assertFailure("{} {}", JsonRpc.PARSE_ERROR, "Parse error");
    assertFailure("{\"a\":1,\"a\":2}", JsonRpc.PARSE_ERROR, "Parse error: Duplicate field");
    assertFailure("{\"a\":" + "[".repeat(JsonRpc.MAX_DEPTH + 1) + "]".repeat(JsonRpc.MAX_DEPTH + 1) + "}",
      JsonRpc.PARSE_ERROR, "Parse error: beyond the JSON limits");
    assertFailure("42", JsonRpc.INVALID_REQUEST, "Invalid Request");
  }

  @Test
  void anIdIsAStringOrAnInteger() {
    assertThat(JsonRpc.validId("a")).isTrue();
    assertThat(JsonRpc.validId(1)).isTrue();
    assertThat(JsonRpc.validId(1L << 40)).isTrue();
    assertThat(JsonRpc.validId(null)).isFalse();
    assertThat(JsonRpc.validId(1.5)).isFalse();
    assertThat(JsonRpc.validId(new JsonObject())).isFalse();
  }

  @Test
  void accept() {
    assertThat(McpServer.Accepts.of("application/json, text/event-stream")).isEqualTo(new McpServer.Accepts(true, true));
    assertThat(McpServer.Accepts.of("text/event-stream")).isEqualTo(new McpServer.Accepts(false, true));
    assertThat(McpServer.Accepts.of("*/*")).isEqualTo(new McpServer.Accepts(true, false));
    assertThat(McpServer.Accepts.of(null)).isEqualTo(new McpServer.Accepts(true, false));
    assertThat(McpServer.Accepts.of("text/html")).isEqualTo(new McpServer.Accepts(false, false));
  }
}
