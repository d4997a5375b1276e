package io.execgate.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad requests get the right 4xx with the JSON error shape, never a 500, over real HTTP.
 */
class ValidationIT extends GatewayITBase {

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @AfterAll
  void theResponsesWereCheckedAgainstOpenApi() {
    assertThat(openApi.checked()).contains("submitExecution 400", "submitExecution 413", "submitExecution 415",
      "submitExecution 422");
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String contentType, Buffer body) {
    var request = client.request(method, path);
    if (contentType != null) {
      request.putHeader("content-type", contentType);
    }
    return await(body == null ? request.send() : request.sendBuffer(body));
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("content-type")).startsWith("application/json");
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{                                               | 400 | invalid_json",
    "[]                                              | 400 | invalid_json",
    "null                                            | 400 | invalid_json",
    "{\"script\":42}                                 | 400 | invalid_request",
    "{\"script\":\"x\",\"limits\":{\"memoryMb\":\"a\"}} | 400 | invalid_request",
    "{\"script\":\"x\",\"limits\":{\"timeoutMs\":9999999}} | 422 | limit_exceeded",
    "{\"script\":\"x\",\"limits\":{\"timeoutMs\":1e400}} | 400 | invalid_request",
    "{\"script\":\"x\",\"unknown\":true}             | 400 | invalid_request",
    "{\"script\":\"x\",\"language\":\"cobol\"}       | 400 | unsupported_language",
    "{\"script\":\"x\",\"image\":\"elsewhere/img:1\"} | 403 | image_not_allowed",
  })
  void badBodiesAreRefused(String body, int status, String code) {
    assertError(send(HttpMethod.POST, "/v1/executions", "application/json", Buffer.buffer(body)), status, code);
  }

  @Test
  void theFieldAtFaultIsNamed() {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/executions", "application/json",
      Buffer.buffer("{\"script\":\"x\",\"limits\":{\"pids\":100000}}"));
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("limits.pids");
  }

  @Test
  void invalidUtf8IsRefused() {
    Buffer body = Buffer.buffer("{\"script\":\"echo ").appendBytes(new byte[]{(byte) 0xff, (byte) 0xfe})
      .appendString("\"}");
    assertError(send(HttpMethod.POST, "/v1/executions", "application/json", body), 400, "invalid_json");
  }

  @Test
  void anOversizedBodyIs413() {
    Buffer body = Buffer.buffer("{\"script\":\"").appendString("x".repeat(17 << 20)).appendString("\"}");
    assertError(send(HttpMethod.POST, "/v1/executions", "application/json", body), 413, "payload_too_large");
  }

  @Test
  void anOversizedScriptIs413() {
    JsonObject body = new JsonObject().put("script", "x".repeat((1 << 20) + 1));
    assertError(send(HttpMethod.POST, "/v1/executions", "application/json", body.toBuffer()), 413,
      "payload_too_large");
  }

  @Test
  void anotherContentTypeIs415() {
    assertError(send(HttpMethod.POST, "/v1/executions", "text/plain", Buffer.buffer("echo hi")), 415,
      "unsupported_media_type");
    assertError(send(HttpMethod.POST, "/v1/executions", null, Buffer.buffer("{\"script\":\"x\"}")), 415,
      "unsupported_media_type");
  }

  @Test
  void unknownRoutesAndMethodsGetTheErrorShape() {
    assertError(send(HttpMethod.GET, "/v1/nothing", null, null), 404, "not_found");
    assertError(send(HttpMethod.PUT, "/v1/executions", "application/json", Buffer.buffer("{}")), 405,
      "method_not_allowed");
  }
}
