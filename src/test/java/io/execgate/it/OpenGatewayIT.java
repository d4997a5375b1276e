package io.execgate.it;

import io.execgate.GatewayOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway without keys, attacked from a browser: a page on a DNS-rebinding name (the attacker's
 * name, resolving to 127.0.0.1) gets 421 whatever it asks, the page's own origin must match the
 * gateway's port too, an idempotency conflict tells no other request's execution, and the web page
 * and the API carry their security headers.
 */
class OpenGatewayIT extends GatewayITBase {

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getHttp().setAllowedHosts(List.of("exec.internal"));
    return options;
  }

  /**
   * Sends one raw HTTP/1.1 request with exactly the given headers.
   *
   * @return the status line and headers of the answer, lower-cased
   */
  private String raw(String requestLineAndHeaders) throws IOException {
    return RawHttp.send(gateway.actualPort(), "127.0.0.1", requestLineAndHeaders).toLowerCase();
  }

  private String upgrade(String host, String origin) throws IOException {
    return raw("GET /v1/ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      + (origin == null ? "" : "Origin: " + origin + "\r\n"));
  }

  @Test
  void aRebindingHostNameIsMisdirectedWhateverItAsks() throws Exception {
    int port = gateway.actualPort();
    for (String request : List.of("GET /v1/runtimes", "GET /", "GET /assets/app.js", "GET /v1/stats",
      "GET /v1/executions/00000000-0000-0000-0000-000000000000")) {
      String answer = raw(request + " HTTP/1.1\r\nHost: rebind.evil.example:" + port + "\r\n");
      assertThat(answer).as(request).startsWith("http/1.1 421");
    }
    HttpResponse<Buffer> submit = await(client.post("/v1/executions").virtualHost("rebind.evil.example")
      .putHeader("content-type", "application/json").sendBuffer(new JsonObject().put("script", "echo pwned").toBuffer()));
    assertThat(submit.statusCode()).isEqualTo(421);
    assertThat(submit.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("misdirected_request");
    // the WebSocket a rebinding page would open, same-origin in the browser's eyes
    assertThat(upgrade("rebind.evil.example:" + port, "http://rebind.evil.example:" + port))
      .startsWith("http/1.1 421");
    // loopback names, addresses and configured names are served
    for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "exec.internal:" + port,
      "EXEC.INTERNAL")) {
      assertThat(raw("GET /v1/runtimes HTTP/1.1\r\nHost: " + host + "\r\n")).as(host).startsWith("http/1.1 200");
    }
    assertThat(upgrade("localhost:" + port, "http://localhost:" + port)).startsWith("http/1.1 101");
  }

  @Test
  void anotherPortOfTheSameHostIsAnotherOrigin() throws Exception {
    int port = gateway.actualPort();
    assertThat(upgrade("localhost", "http://localhost:3000")).startsWith("http/1.1 403");
    assertThat(upgrade("localhost:" + port, "http://localhost:3000")).startsWith("http/1.1 403");
    assertThat(upgrade("127.0.0.1:" + port, "http://127.0.0.1:" + port)).startsWith("http/1.1 101");
  }

  @Test
  void anIdempotencyConflictDoesNotTellAnotherRequestsExecution() {
    HttpResponse<Buffer> first = await(client.post("/v1/executions").putHeader("content-type", "application/json")
      .putHeader("idempotency-key", "shared-key").sendBuffer(new JsonObject().put("script", "echo first").toBuffer()));
    String id = first.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> probe = await(client.post("/v1/executions").putHeader("content-type", "application/json")
      .putHeader("idempotency-key", "shared-key").sendBuffer(new JsonObject().put("script", "echo probe").toBuffer()));
    assertThat(probe.statusCode()).isEqualTo(409);
    assertThat(probe.bodyAsString()).doesNotContain(id);
  }

  @Test
  void thePageAndTheApiCarryTheirSecurityHeaders() {
    for (String path : List.of("/", "/assets/app.js", "/assets/app.css")) {
      HttpResponse<Buffer> page = get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      String csp = page.getHeader("content-security-policy");
      assertThat(csp).as(path).contains("default-src 'none'").contains("script-src 'self'")
        .contains("connect-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe");
      assertThat(page.getHeader("x-content-type-options")).isEqualTo("nosniff");
      assertThat(page.getHeader("x-frame-options")).isEqualTo("DENY");
      assertThat(page.getHeader("referrer-policy")).isEqualTo("no-referrer");
    }
    // no inline script or handler the policy would block: the page works under it (BrowserIT, FirefoxIT)
    String html = get("/").bodyAsString();
    assertThat(html).doesNotContainPattern("<script(?![^>]*\\ssrc=)").doesNotContainPattern("\\son[a-z]+=")
      .doesNotContain("style=");
    for (String path : List.of("/v1/runtimes", "/health", "/openapi.json", "/v1/nothing")) {
      HttpResponse<Buffer> api = get(path);
      assertThat(api.getHeader("content-security-policy")).as(path).startsWith("default-src 'none'")
        .contains("frame-ancestors 'none'");
      assertThat(api.getHeader("x-content-type-options")).as(path).isEqualTo("nosniff");
    }
    // without keys everyone is the operator
    assertThat(get("/v1/stats").statusCode()).isEqualTo(200);
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }
}
