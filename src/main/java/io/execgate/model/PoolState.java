package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The warm pools of a node.
 *
 * @param enabled whether the pool is on
 * @param pools   one entry per pooled image
 */
public record PoolState(boolean enabled, List<Pool> pools) {

  /**
   * One pool.
   *
   * @param key       what its containers are for
   * @param ready     warm containers waiting
   * @param target    how many it keeps
   * @param creating  containers being created
   * @param taken     containers handed to executions so far
   * @param failures  consecutive refill failures (while above 0 executions may start cold)
   * @param lastError the last refill failure, or {@code null}
   */
  public record Pool(PoolKey key, int ready, int target, int creating, long taken, int failures, String lastError) {

    public JsonObject toJson() {
      JsonObject json = new JsonObject()
        .put("image", key.image())
        .put("tmpfsExec", key.tmpfsExec())
        .put("ready", ready)
        .put("target", target)
        .put("creating", creating)
        .put("taken", taken)
        .put("failures", failures)
        .put("lastError", lastError);
      return key.ociRuntime() == null ? json : json.put("ociRuntime", key.ociRuntime());
    }

    public static Pool fromJson(JsonObject json) {
      return new Pool(PoolKey.fromJson(json), json.getInteger("ready"), json.getInteger("target"),
        json.getInteger("creating"), json.getLong("taken"), json.getInteger("failures"), json.getString("lastError"));
    }
  }

  public PoolState {
    pools = List.copyOf(pools);
  }

  /**
   * @param key a pool key
   * @return that pool's state, or {@code null}
   */
  public Pool pool(PoolKey key) {
    return pools.stream().filter(p -> p.key().equals(key)).findFirst().orElse(null);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    pools.forEach(p -> array.add(p.toJson()));
    return new JsonObject().put("enabled", enabled).put("pools", array);
  }

  public static PoolState fromJson(JsonObject json) {
    List<Pool> pools = new ArrayList<>();
    json.getJsonArray("pools").forEach(p -> pools.add(Pool.fromJson((JsonObject) p)));
    return new PoolState(json.getBoolean("enabled"), pools);
  }
}
