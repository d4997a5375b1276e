package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * What makes warm containers interchangeable: the image, and whether /tmp allows executing
 * binaries. Everything else of the sandbox is the operator's, the same for all; per-request limits
 * are applied when a container is taken.
 *
 * @param image     the image
 * @param tmpfsExec whether /tmp is mounted {@code exec}
 */
public record PoolKey(String image, boolean tmpfsExec) {

  public static PoolKey of(RuntimeSpec runtime, String image) {
    return new PoolKey(image, runtime.tmpfsExec());
  }

  public JsonObject toJson() {
    return new JsonObject().put("image", image).put("tmpfsExec", tmpfsExec);
  }

  public static PoolKey fromJson(JsonObject json) {
    return new PoolKey(json.getString("image"), json.getBoolean("tmpfsExec", false));
  }
}
