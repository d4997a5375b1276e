package io.execgate.it;

import io.execgate.GatewayOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry that accepts connections and never answers: every pull attempt ends at the pull
 * timeout, and a cancelled execution does not wait for it.
 */
class ImagePullTimeoutIT extends GatewayITBase {

  private static final int TIMEOUT_S = 2;
  private static final long DELAY_MS = 300;

  private final int port = RegistryProcess.freePort();
  private final List<NetSocket> held = new CopyOnWriteArrayList<>();
  private NetServer stall;

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getImages()
      .setPullTimeoutSeconds(TIMEOUT_S)
      .setPullRetries(1)
      .setPullRetryDelayMs(DELAY_MS)
      .setPullRetryMaxDelayMs(DELAY_MS)
      .addAllow("127.0.0.1:" + port + "/**");
    return options;
  }

  @BeforeAll
  void startAStallingRegistry() {
    // accepts, reads nothing, answers nothing, closes nothing
    stall = await(vertx.createNetServer().connectHandler(socket -> {
      socket.pause();
      held.add(socket);
    }).listen(port, "127.0.0.1"));
  }

  @AfterAll
  void stopIt() {
    if (stall != null) {
      await(stall.close());
    }
  }

  @Test
  void eachAttemptEndsAtThePullTimeout() {
    String registry = "127.0.0.1:" + port;
    int connectionsBefore = held.size();
    long start = System.nanoTime();
    HttpResponse<Buffer> response = post("/v1/executions?wait=true", new JsonObject()
      .put("image", registry + "/it/stalled:1").put("script", "echo never"));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    JsonObject r = response.bodyAsJsonObject();
    assertThat(r.getString("status")).isEqualTo("error");
    assertThat(r.getString("message")).contains("registry " + registry)
      .contains("within the pull timeout of " + TIMEOUT_S * 1000 + " ms").contains("gave up after 2 attempts");
    // two attempts of 2 s each, 150-300 ms apart
    assertThat(elapsedMs).isBetween(2 * TIMEOUT_S * 1000L + DELAY_MS / 2, 2 * TIMEOUT_S * 1000L + DELAY_MS + 4_000);
    assertThat(held.size() - connectionsBefore).as("both attempts reached the registry").isGreaterThanOrEqualTo(2);
  }

  @Test
  void cancellingAnExecutionWaitingForAPullEndsItAtOnce() throws Exception {
    HttpResponse<Buffer> accepted = post("/v1/executions", new JsonObject()
      .put("image", "127.0.0.1:" + port + "/it/cancelled:1").put("script", "echo never"));
    String id = accepted.bodyAsJsonObject().getString("id");
    awaitStatus(id, "pulling"::equals, 5_000);
    long start = System.nanoTime();
    HttpResponse<Buffer> cancelled = delete("/v1/executions/" + id);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    // the pull itself takes two attempts of 2 s
    assertThat(elapsedMs).as("a cancel does not wait for the pull").isLessThan(2 * TIMEOUT_S * 1000L);
  }
}
