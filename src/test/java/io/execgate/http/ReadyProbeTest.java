package io.execgate.http;

import io.execgate.auth.ApiKey;
import io.execgate.auth.AuthOptions;
import io.execgate.auth.Principal;
import io.execgate.error.GatewayException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /ready} and keys: an orchestrator's probe without credentials passes the gate (as
 * nobody, so that the handler tells it the status only) unless the operator closed it; a credential
 * that is given is checked, never ignored; every other route still needs a key.
 */
class ReadyProbeTest {

  private static final String KEY = ApiKey.generate();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private int serve(boolean openReady) {
    AuthOptions options = new AuthOptions().setOpenReady(openReady)
      .addKey(new ApiKey("k", ApiKey.hash(KEY), List.of(), List.of(), 0, 0));
    Router router = Router.router(vertx);
    router.route().handler(new AuthHandler(vertx, "test", options));
    router.route().handler(ctx -> ctx.response().end(AuthHandler.principal(ctx) == Principal.NOBODY ? "nobody"
      : AuthHandler.principal(ctx).id()));
    router.route().failureHandler(ctx -> ctx.response().setStatusCode(ctx.failure() instanceof GatewayException g
      ? g.code().httpStatus() : 500).end("refused"));
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await().actualPort();
  }

  private String get(int port, String path, String authorization) {
    HttpClient client = vertx.createHttpClient();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
      .setURI(path);
    if (authorization != null) {
      request.putHeader("authorization", authorization);
    }
    try {
      return client.request(request).compose(HttpClientRequest::send)
        .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("GET " + path + ": " + e, e);
    }
  }

  @Test
  void aProbeWithoutCredentialsPassesAsNobodyAndAGivenCredentialIsChecked() {
    int port = serve(true);
    assertThat(get(port, "/ready", null)).isEqualTo("200 nobody");
    assertThat(get(port, "/ready", "Bearer " + KEY)).isEqualTo("200 k");
    assertThat(get(port, "/ready", "Bearer " + ApiKey.generate())).startsWith("401");
    assertThat(get(port, "/ready?token=egt_forged", null)).isEqualTo("200 nobody");
    assertThat(get(port, "/v1/runtimes", null)).startsWith("401");
    assertThat(get(port, "/ready/../v1/runtimes", null)).startsWith("401");
  }

  @Test
  void closedByTheOperatorReadyNeedsAKey() {
    int port = serve(false);
    assertThat(get(port, "/ready", null)).startsWith("401");
    assertThat(get(port, "/ready", "Bearer " + KEY)).isEqualTo("200 k");
  }
}
