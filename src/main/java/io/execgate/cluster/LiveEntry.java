package io.execgate.cluster;

import io.vertx.core.json.JsonObject;

/**
 * An execution admitted by a cluster worker and not yet released: where it runs, who dispatched it,
 * whose quota it counts against. Kept in the cluster-wide live map, so that any gateway can finish
 * what a lost worker left.
 *
 * @param worker   the worker's node id
 * @param instance the worker's instance id
 * @param gateway  the node id of the gateway that dispatched it, or {@code null}
 * @param owner    the id of the API key that owns it, or {@code null}
 * @param charged  whether it counts against its owner's cluster-wide quota
 * @param since    epoch milliseconds of its admission
 */
record LiveEntry(String worker, String instance, String gateway, String owner, boolean charged, long since) {

  JsonObject toJson() {
    return new JsonObject()
      .put("worker", worker)
      .put("instance", instance)
      .put("gateway", gateway)
      .put("owner", owner)
      .put("charged", charged)
      .put("since", since);
  }

  static LiveEntry fromJson(JsonObject json) {
    return new LiveEntry(json.getString("worker"), json.getString("instance"), json.getString("gateway"),
      json.getString("owner"), json.getBoolean("charged", false), json.getLong("since", 0L));
  }
}
