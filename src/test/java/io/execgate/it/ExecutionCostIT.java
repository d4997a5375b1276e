package io.execgate.it;

import io.execgate.bus.Headers;
import io.execgate.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one {@code wait=true} execution costs on one node, counted on the real engine: the bus
 * exchanges on the gateway's addresses (an outbound interceptor sees every message the gateway sends)
 * and the record writes ({@code execgate_record_writes}). The warm pool's own upkeep (its image checks,
 * refills) is not the execution's cost and is left out by sender: only messages about this execution
 * count, plus every message on the scheduler's, executor's and image cache's execution addresses.
 */
class ExecutionCostIT extends GatewayITBase {

  private static final Logger log = LoggerFactory.getLogger(ExecutionCostIT.class);

  private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean counting;

  private double writes() {
    return GatewayMetrics.of(vertx, "execgate").registry().find("execgate_record_writes").counters().stream()
      .mapToDouble(Counter::count).sum();
  }

  private void intercept() {
    vertx.eventBus().addOutboundInterceptor(dc -> {
      var m = dc.message();
      if (counting && dc.send() && m.address().startsWith("execgate.")
        && !m.address().startsWith("execgate.cluster.")
        // the pool's upkeep asks the image cache on its own (with no execution), not for this execution
        && !(m.address().equals("execgate.image.ensure") && m.headers().get(Headers.EXECUTION) == null)) {
        sent.add(m.address() + (m.replyAddress() != null ? " (request)" : " (send)"));
      }
      dc.next();
    });
  }

  private JsonObject awaitWarm() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonObject pool;
    do {
      pool = get("/v1/runtimes").bodyAsJsonObject().getJsonArray("runtimes").getJsonObject(0).getJsonObject("pool");
      if (pool.getInteger("ready") >= pool.getInteger("target") && pool.getInteger("target") > 0) {
        return pool;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("the warm pool never filled: " + pool.encode());
  }

  @Test
  void aWaitingExecutionCostsAtMostThreeExchangesAndTwoWrites() throws Exception {
    intercept();
    // a first execution confirms the image and warms everything up; the second one is measured
    assertThat(run("echo warm-up").getString("status")).isEqualTo("succeeded");
    awaitWarm();
    double writesBefore = writes();
    counting = true;
    JsonObject r = run("echo measured");
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("measured\n");
    // the slot goes back after the answer: wait until the node runs nothing
    long deadline = System.currentTimeMillis() + 10_000;
    while (GatewayMetrics.of(vertx, "execgate").registry().find("execgate_running").gauge().value() > 0
      && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    counting = false;
    double writes = writes() - writesBefore;
    List<String> exchanges;
    synchronized (sent) {
      exchanges = new ArrayList<>(sent);
    }
    // a full pool: the pool's heavy check, which would add a round trip, only runs for its last container
    log.info("one wait=true execution: {} messages {}, {} record writes", exchanges.size(), exchanges, (long) writes);
    assertThat(exchanges.stream().filter(e -> e.endsWith("(request)")).collect(Collectors.toList()))
      .as("bus round trips of one wait=true execution: %s (and %s record writes)", exchanges, (long) writes).hasSizeLessThanOrEqualTo(3);
    assertThat(exchanges).as("no one-way message outside its round trips").allMatch(e -> e.endsWith("(request)"));
    assertThat(writes).as("record writes of one wait=true execution").isLessThanOrEqualTo(2);
  }
}
