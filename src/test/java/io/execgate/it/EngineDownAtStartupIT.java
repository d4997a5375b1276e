package io.execgate.it;

import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static io.execgate.it.GatewayITBase.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code docker.requireAtStartup=false}, a gateway whose engine is down starts, says so, and
 * takes work as soon as the engine answers, without a restart.
 */
class EngineDownAtStartupIT {

  @Test
  void startsWithoutTheEngineAndRecoversWhenItAnswers() throws Exception {
    DockerSupport.requireDocker();
    Path dir = Files.createTempDirectory("engine");
    Path socket = dir.resolve("docker.sock");
    String instance = "it-enginedown-" + UUID.randomUUID().toString().substring(0, 8);
    GatewayOptions options = new GatewayOptions().setInstanceId(instance);
    options.getHttp().setPort(0);
    options.getDocker().setHost("unix://" + socket).setRequireAtStartup(false);
    Vertx vertx = Vertx.vertx();
    try (UnixSocketProxy engine = new UnixSocketProxy(socket, Path.of("/var/run/docker.sock"));
         var docker = DockerSupport.client()) {
      ExecutionGateway gateway = await(ExecutionGateway.deploy(vertx, options));
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.actualPort()));

      HttpResponse<Buffer> ready = await(client.get("/ready").send());
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.bodyAsJsonObject().getString("message")).contains(socket.toString());
      HttpResponse<Buffer> refused = await(client.post("/v1/executions").putHeader("content-type", "application/json")
        .sendBuffer(Buffer.buffer("{\"script\":\"echo hi\"}")));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.getHeader("retry-after")).isNotNull();
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("docker_unavailable");

      engine.start();
      long deadline = System.currentTimeMillis() + 20_000;
      while (await(client.get("/ready").send()).statusCode() != 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      JsonObject r = null;
      while (System.currentTimeMillis() < deadline) {
        HttpResponse<Buffer> response = await(client.post("/v1/executions?wait=true")
          .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer("{\"script\":\"echo back\"}")));
        if (response.statusCode() == 200) {
          r = response.bodyAsJsonObject();
          break;
        }
        Thread.sleep(200);
      }
      assertThat(r).isNotNull();
      assertThat(r.getString("status")).isEqualTo("succeeded");
      assertThat(r.getString("stdout")).isEqualTo("back\n");
      await(gateway.close());
      assertThat(DockerSupport.awaitNoContainers(docker, instance, 10_000)).isEmpty();
    } finally {
      await(vertx.close());
    }
  }
}
