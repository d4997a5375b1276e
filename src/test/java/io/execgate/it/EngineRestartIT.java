package io.execgate.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker engine restarts under a running execution: that execution ends in {@code error} with a
 * clear message, the next one succeeds without restarting the gateway, and nothing is left behind.
 */
class EngineRestartIT extends GatewayITBase {

  @Test
  void anEngineRestartFailsTheRunningExecutionOnly() throws Exception {
    DockerDaemon.requireRestartable();
    // a deadline far beyond the restart (the engine gives running containers 10 s to stop)
    HttpResponse<Buffer> accepted = post("/v1/executions", new JsonObject().put("script", "echo up; sleep 60")
      .put("limits", new JsonObject().put("timeoutMs", 60_000)));
    String id = accepted.bodyAsJsonObject().getString("id");
    awaitStatus(id, "running"::equals, 30_000);

    DockerDaemon.restart();

    JsonObject lost = awaitStatus(id, GatewayITBase::isFinal, 60_000);
    assertThat(lost.getString("status")).as(lost.encode()).isEqualTo("error");
    assertThat(lost.getString("message")).containsIgnoringCase("engine");

    JsonObject next = null;
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      next = run("echo after-restart");
      if ("succeeded".equals(next.getString("status"))) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(next.getString("status")).as(next.encode()).isEqualTo("succeeded");
    assertThat(next.getString("stdout")).isEqualTo("after-restart\n");
    assertThat(DockerSupport.awaitExecutionContainerGone(docker, id, 60_000)).isTrue();
  }
}
