package io.execgate.it;

import com.github.dockerjava.api.model.Container;
import io.execgate.GatewayOptions;
import io.execgate.docker.ContainerLabels;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm pool: containers started ahead of demand, each serving one execution, refilled in the
 * background, replaced when idle too long, with a cold fallback when empty.
 */
class WarmPoolIT extends GatewayITBase {

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getExecutor().getPool().setSize(2).setMaxIdleSeconds(3);
    return options;
  }

  private JsonObject pool() {
    return get("/v1/runtimes").bodyAsJsonObject().getJsonArray("runtimes").getJsonObject(0).getJsonObject("pool");
  }

  private JsonObject awaitFull() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonObject pool = pool();
    while (pool.getInteger("ready") < pool.getInteger("target") && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      pool = pool();
    }
    return pool;
  }

  /**
   * @return the idle warm containers (a taken one is renamed after its execution at once)
   */
  private Set<String> warmContainers() {
    return docker.listContainersCmd().withShowAll(true)
      .withLabelFilter(Map.of(ContainerLabels.INSTANCE, instanceId, ContainerLabels.EXECUTION, ContainerLabels.WARM))
      .exec().stream()
      .filter(c -> c.getNames() != null && c.getNames().length > 0 && c.getNames()[0].startsWith("/execgate-warm-"))
      .map(Container::getId).collect(Collectors.toSet());
  }

  @Test
  void thePoolFillsAndReportsItsState() throws Exception {
    JsonObject pool = awaitFull();
    assertThat(pool.getInteger("target")).isEqualTo(2);
    assertThat(pool.getInteger("ready")).isEqualTo(2);
    JsonObject ready = get("/ready").bodyAsJsonObject();
    assertThat(ready.getJsonObject("pool").getBoolean("enabled")).isTrue();
    assertThat(ready.getJsonObject("pool").getJsonArray("pools").getJsonObject(0).getInteger("ready")).isEqualTo(2);
    // the warm containers run with the full profile, waiting in the launcher
    for (String id : warmContainers()) {
      var inspect = docker.inspectContainerCmd(id).exec();
      assertThat(inspect.getState().getRunning()).isTrue();
      assertThat(inspect.getHostConfig().getNetworkMode()).isEqualTo("none");
      assertThat(inspect.getHostConfig().getReadonlyRootfs()).isTrue();
      assertThat(inspect.getConfig().getUser()).isEqualTo("1000:1000");
    }
  }

  private long taken() {
    return get("/ready").bodyAsJsonObject().getJsonObject("pool").getJsonArray("pools").getJsonObject(0)
      .getLong("taken");
  }

  @Test
  void anExecutionTakesAWarmContainerWhichServesOnlyIt() throws Exception {
    awaitFull();
    Set<String> before = warmContainers();
    long takenBefore = taken();
    JsonObject first = run(new JsonObject().put("script", "ls /tmp/work; echo secret > /tmp/mark; echo $$"));
    assertThat(first.getString("status")).isEqualTo("succeeded");
    assertThat(first.getString("stdout")).startsWith("main.sh\n");
    JsonObject second = run("ls /tmp; cat /tmp/mark 2>&1");
    assertThat(second.getString("stdout")).doesNotContain("secret").contains("No such file");
    // both came from the pool, and a taken container is removed, never handed out again
    assertThat(taken() - takenBefore).isEqualTo(2);
    Thread.sleep(2_000);
    Set<String> warmNow = warmContainers();
    Set<String> existing = docker.listContainersCmd().withShowAll(true).exec().stream().map(Container::getId)
      .collect(Collectors.toSet());
    for (String id : before) {
      assertThat(warmNow.contains(id) || !existing.contains(id)).as("container %s taken but not removed", id).isTrue();
    }
  }

  @Test
  void anEmptyPoolFallsBackToColdStarts() throws Exception {
    awaitFull();
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      responses.add(client.post("/v1/executions?wait=true").putHeader("content-type", "application/json")
        .sendBuffer(new JsonObject().put("script", "echo n$1").put("args", new io.vertx.core.json.JsonArray()
          .add(String.valueOf(i))).toBuffer()));
    }
    for (int i = 0; i < 5; i++) {
      JsonObject r = await(responses.get(i)).bodyAsJsonObject();
      assertThat(r.getString("status")).isEqualTo("succeeded");
      assertThat(r.getString("stdout")).isEqualTo("n" + i + "\n");
    }
    assertThat(awaitFull().getInteger("ready")).isEqualTo(2);
  }

  @Test
  void idleWarmContainersAreReplaced() throws Exception {
    awaitFull();
    Set<String> before = warmContainers();
    assertThat(before).hasSizeGreaterThanOrEqualTo(2);
    // older than maxIdleSeconds (3 s): each is removed and replaced by a fresh one
    Thread.sleep(6_000);
    assertThat(awaitFull().getInteger("ready")).isEqualTo(2);
    Set<String> after = warmContainers();
    assertThat(after).hasSizeGreaterThanOrEqualTo(2).doesNotContainAnyElementsOf(before);
  }
}
