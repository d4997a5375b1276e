package io.execgate.metrics;

import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A summary of one gateway node's counters, for {@code GET /v1/stats} and the web page's panel.
 *
 * @param running    executions holding a run slot
 * @param queued     admitted executions waiting for a slot
 * @param capacity   run slots of this node
 * @param executions executions that reached each final status since the gateway started
 * @param rejected   submits refused at admission since the gateway started
 * @param poolReady  warm containers waiting to be taken
 * @param sessions   sessions open now ({@code open}), created since the gateway started ({@code created}), and
 *                   ended by how ({@code expired_idle}, {@code deleted}, ...)
 */
public record GatewayStats(long running, long queued, long capacity, Map<String, Long> executions, long rejected,
                           long poolReady, Map<String, Long> sessions) {

  /**
   * Stats of a gateway without sessions.
   */
  public GatewayStats(long running, long queued, long capacity, Map<String, Long> executions, long rejected,
                      long poolReady) {
    this(running, queued, capacity, executions, rejected, poolReady, Map.of());
  }

  public GatewayStats {
    executions = Collections.unmodifiableMap(new LinkedHashMap<>(executions));
    sessions = Collections.unmodifiableMap(new LinkedHashMap<>(sessions));
  }

  public JsonObject toJson() {
    JsonObject byStatus = new JsonObject(new LinkedHashMap<>());
    executions.forEach(byStatus::put);
    return new JsonObject()
      .put("running", running)
      .put("queued", queued)
      .put("capacity", capacity)
      .put("executions", byStatus)
      .put("rejected", rejected)
      .put("pool", new JsonObject().put("ready", poolReady))
      .put("sessions", new JsonObject(new LinkedHashMap<>(sessions)));
  }
}
