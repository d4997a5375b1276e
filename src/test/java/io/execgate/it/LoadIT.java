package io.execgate.it;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many executions, one after the other and at once: every result is the right one.
 */
class LoadIT extends GatewayITBase {

  @Test
  void hundredSequentialExecutionsAreAllCorrect() {
    for (int i = 0; i < 100; i++) {
      JsonObject r = run(new JsonObject().put("script", "echo \"run $1\"; exit $(($1 % 3))")
        .put("args", new io.vertx.core.json.JsonArray().add(String.valueOf(i))));
      assertThat(r.getString("stdout")).isEqualTo("run " + i + "\n");
      assertThat(r.getInteger("exitCode")).isEqualTo(i % 3);
      assertThat(r.getString("status")).isEqualTo(i % 3 == 0 ? "succeeded" : "failed");
    }
  }

  @Test
  void twentyConcurrentExecutionsAreAllCorrect() {
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      JsonObject body = new JsonObject().put("script", "sleep 0.2; echo \"job $1\"; echo \"e$1\" >&2")
        .put("args", new io.vertx.core.json.JsonArray().add(String.valueOf(i)));
      responses.add(client.post("/v1/executions?wait=true").putHeader("content-type", "application/json")
        .sendBuffer(body.toBuffer()));
    }
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> response = await(responses.get(i));
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject r = response.bodyAsJsonObject();
      assertThat(r.getString("status")).isEqualTo("succeeded");
      assertThat(r.getString("stdout")).isEqualTo("job " + i + "\n");
      assertThat(r.getString("stderr")).isEqualTo("e" + i + "\n");
    }
  }
}
