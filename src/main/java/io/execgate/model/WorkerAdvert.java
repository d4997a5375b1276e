package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What a worker node tells the gateways of a cluster, periodically and when its load changes: its
 * capacity, its load, whether it can run executions and which images it has. Gateways dispatch by it.
 *
 * @param nodeId        the worker's node id in the cluster
 * @param instanceId    its gateway instance id (the label of its containers)
 * @param seq           increases with every advert of this node
 * @param sentAt        epoch milliseconds when it was sent (by the worker's clock)
 * @param maxConcurrent its run slots
 * @param maxQueued     how many admitted executions may wait for a slot
 * @param running       executions holding a slot
 * @param admitted      executions admitted and not yet released (running or waiting)
 * @param waiting       the ids of admitted executions that have not started a container yet
 * @param ready         whether its engine answers and its default image is present
 * @param readyMessage  what is missing when not ready, or {@code null}
 * @param images        images usable there now, as requests name them
 * @param pools         its warm pools, or {@code null} while unknown
 * @param leaving       whether it is shutting down and takes no more work
 */
public record WorkerAdvert(String nodeId, String instanceId, long seq, long sentAt, int maxConcurrent, int maxQueued,
                           int running, int admitted, List<String> waiting, boolean ready, String readyMessage,
                           List<String> images, PoolState pools, boolean leaving) {

  public WorkerAdvert {
    waiting = List.copyOf(waiting);
    images = List.copyOf(images);
  }

  /**
   * @return run slots no admitted execution holds or waits for
   */
  public int freeSlots() {
    return Math.max(0, maxConcurrent - admitted);
  }

  /**
   * @return how many more executions it would admit (run at once or queue)
   */
  public int room() {
    return Math.max(0, maxConcurrent + maxQueued - admitted);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("nodeId", nodeId)
      .put("instanceId", instanceId)
      .put("seq", seq)
      .put("sentAt", sentAt)
      .put("maxConcurrent", maxConcurrent)
      .put("maxQueued", maxQueued)
      .put("running", running)
      .put("admitted", admitted)
      .put("waiting", new JsonArray(new ArrayList<>(waiting)))
      .put("ready", ready)
      .put("readyMessage", readyMessage)
      .put("images", new JsonArray(new ArrayList<>(images)))
      .put("pools", pools == null ? null : pools.toJson())
      .put("leaving", leaving);
  }

  public static WorkerAdvert fromJson(JsonObject json) {
    JsonObject pools = json.getJsonObject("pools");
    return new WorkerAdvert(json.getString("nodeId"), json.getString("instanceId"), json.getLong("seq"),
      json.getLong("sentAt"), json.getInteger("maxConcurrent"), json.getInteger("maxQueued"),
      json.getInteger("running"), json.getInteger("admitted"), strings(json.getJsonArray("waiting")),
      json.getBoolean("ready"), json.getString("readyMessage"), strings(json.getJsonArray("images")),
      pools == null ? null : PoolState.fromJson(pools), json.getBoolean("leaving", false));
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(o -> out.add(String.valueOf(o)));
    }
    return out;
  }
}
