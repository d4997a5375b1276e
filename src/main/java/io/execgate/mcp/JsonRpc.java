package io.execgate.mcp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * JSON-RPC 2.0 as MCP uses it: strict decoding of one message (bounded in depth and tokens),
 * the standard error codes, and the response envelopes.
 */
final class JsonRpc {

  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  /** Implementation-defined server errors, as the MCP SDKs use them on the HTTP transport. */
  static final int BAD_REQUEST = -32000;
  static final int SESSION_NOT_FOUND = -32001;

  /** Nesting a message may have: MCP messages are a few levels deep; tool arguments a few more. */
  static final int MAX_DEPTH = 32;
  static final int MAX_TOKENS = 100_000;
  private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxTokenCount(MAX_TOKENS).build())
      .build())
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
    .build();

  private JsonRpc() {
  }

  /**
   * A message that cannot be answered with a result: its error code and message.
   */
  static final class Failure extends RuntimeException {

    final int code;

    Failure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /**
   * @return the decoded body: a {@link JsonObject} (a message) or a {@link JsonArray} (a batch)
   * @throws Failure {@link #PARSE_ERROR} when it is not JSON within the limits
   */
  static Object decode(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new Failure(PARSE_ERROR, "Parse error: the body is empty; one JSON-RPC message is expected");
    }
    Object value;
    try {
      value = STRICT.readValue(new InputStreamReader(new ByteArrayInputStream(body.getBytes()), StandardCharsets.UTF_8),
        Object.class);
    } catch (StreamConstraintsException e) {
      throw new Failure(PARSE_ERROR, "Parse error: beyond the JSON limits (nesting depth " + MAX_DEPTH + ", "
        + MAX_TOKENS + " tokens)");
    } catch (IOException e) {
      String m = e instanceof JacksonException je ? je.getOriginalMessage() : String.valueOf(e.getMessage());
      throw new Failure(PARSE_ERROR, "Parse error: " + (m.length() > 200 ? m.substring(0, 200) + "..." : m));
    }
    if (value instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      JsonObject json = new JsonObject((Map<String, Object>) map);
      return json;
    }
    if (value instanceof List<?> list) {
      return new JsonArray(list);
    }
    throw new Failure(INVALID_REQUEST, "Invalid Request: a JSON-RPC message is a JSON object");
  }

  /**
   * @param id the request's id (a string or a number), or {@code null} when it could not be read
   */
  static JsonObject result(Object id, JsonObject result) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", result);
  }

  static JsonObject error(Object id, int code, String message) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id)
      .put("error", new JsonObject().put("code", code).put("message", message));
  }

  static JsonObject notification(String method, JsonObject params) {
    return new JsonObject().put("jsonrpc", "2.0").put("method", method).put("params", params);
  }

  /**
   * @return whether {@code id} is a valid request id: a string or an integral number (never null)
   */
  static boolean validId(Object id) {
    return id instanceof String || id instanceof Integer || id instanceof Long;
  }
}
