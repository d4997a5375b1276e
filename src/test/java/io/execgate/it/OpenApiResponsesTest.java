package io.execgate.it;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The response checker of the integration tests refuses what drifts from openapi.json: a body off its
 * schema, an undeclared status, a content type the operation does not declare.
 */
class OpenApiResponsesTest {

  private Vertx vertx;
  private OpenApiResponses openApi;

  @BeforeEach
  void load() {
    vertx = Vertx.vertx();
    openApi = OpenApiResponses.load(vertx);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private String check(String method, String uri, int status, String contentType, String body) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (contentType != null) {
      headers.add("content-type", contentType);
    }
    return openApi.validate(HttpMethod.valueOf(method), uri, status, headers,
      body == null ? null : Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
  }

  @Test
  void aResponseAsDocumentedPasses() throws Exception {
    assertThat(check("GET", "/health", 200, "application/json", "{\"status\":\"UP\"}")).isEqualTo("health");
    assertThat(check("GET", "/v1/executions/abc?x=1", 404, "application/json",
      "{\"error\":{\"code\":\"not_found\",\"message\":\"no execution abc\"}}")).isEqualTo("getExecution");
    assertThat(openApi.checked()).contains("health 200", "getExecution 404");
  }

  @Test
  void aBodyOffItsSchemaIsRefused() {
    assertThatThrownBy(() -> check("GET", "/health", 200, "application/json", "{\"status\":\"DOWN\"}"))
      .isInstanceOf(AssertionError.class).hasMessageContaining("health");
    assertThatThrownBy(() -> check("GET", "/v1/executions/abc", 404, "application/json",
      "{\"error\":{\"message\":\"no code\"}}"))
      .isInstanceOf(AssertionError.class).hasMessageContaining("getExecution");
  }

  @Test
  void declaredHeadersAreChecked() throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json")
      .add("www-authenticate", "Bearer realm=\"execgate\"");
    String body = "{\"error\":{\"code\":\"unauthorized\",\"message\":\"an API key is required\"}}";
    assertThat(openApi.validate(HttpMethod.GET, "/ready", 401, headers, Buffer.buffer(body))
      .await(10, TimeUnit.SECONDS)).isEqualTo("ready");
    // Retry-After is an integer
    MultiMap limited = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json")
      .add("retry-after", "soon");
    String rateLimited = "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}";
    assertThatThrownBy(() -> openApi.validate(HttpMethod.GET, "/v1/runtimes", 429, limited,
      Buffer.buffer(rateLimited)).await(10, TimeUnit.SECONDS))
      .isInstanceOf(AssertionError.class).hasMessageContaining("Retry-After");
  }

  @Test
  void anUndeclaredStatusIsRefused() {
    assertThatThrownBy(() -> check("GET", "/health", 418, "application/json", "{}"))
      .isInstanceOf(AssertionError.class).hasMessageContaining("418");
  }

  @Test
  void anUndeclaredContentTypeIsRefused() {
    assertThatThrownBy(() -> check("GET", "/health", 200, "text/html", "<p>UP</p>"))
      .isInstanceOf(AssertionError.class).hasMessageContaining("text/html");
  }

  @Test
  void aPathTheDocumentDoesNotDescribeIsNotChecked() throws Exception {
    assertThat(check("GET", "/nowhere", 404, "application/json", "{}")).isNull();
  }
}
