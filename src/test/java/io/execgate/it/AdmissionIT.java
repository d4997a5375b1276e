package io.execgate.it;

import io.execgate.GatewayOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admission control: a bounded queue whose executions report their position, and a fast 429 with
 * {@code Retry-After} beyond it; the queue drains in order.
 */
class AdmissionIT extends GatewayITBase {

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getExecutor().setMaxConcurrent(1).setMaxQueued(3);
    return options;
  }

  @Test
  void aFullNodeQueuesThenRefusesAtOnce() throws Exception {
    String running = post("/v1/executions", new JsonObject().put("script", "sleep 3; echo first"))
      .bodyAsJsonObject().getString("id");
    awaitStatus(running, "running"::equals, 30_000);
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> r = post("/v1/executions", new JsonObject().put("script", "echo queued " + i));
      assertThat(r.statusCode()).isEqualTo(202);
      queued.add(r.bodyAsJsonObject().getString("id"));
    }
    for (int i = 0; i < 3; i++) {
      JsonObject record = get("/v1/executions/" + queued.get(i)).bodyAsJsonObject();
      assertThat(record.getString("status")).isEqualTo("queued");
      assertThat(record.getInteger("position")).as("position of the %dth", i).isEqualTo(i);
    }
    long t0 = System.nanoTime();
    HttpResponse<Buffer> refused = post("/v1/executions", new JsonObject().put("script", "echo one too many"));
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("retry-after")).isNotNull();
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("capacity_exhausted");

    List<Long> ends = new ArrayList<>();
    for (String id : queued) {
      JsonObject done = awaitStatus(id, GatewayITBase::isFinal, 60_000);
      assertThat(done.getString("status")).isEqualTo("succeeded");
      ends.add(done.getLong("submittedAt") + done.getLong("queuedMs"));
    }
    // one slot: they started one after another, in submit order
    assertThat(ends).isSorted();
    assertThat(awaitStatus(running, GatewayITBase::isFinal, 30_000).getString("stdout")).isEqualTo("first\n");
  }
}
