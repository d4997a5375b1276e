package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * What makes warm containers interchangeable: the image, whether /tmp allows executing binaries,
 * and the OCI runtime. Everything else of the sandbox is the operator's, the same for all;
 * per-request limits are applied when a container is taken.
 *
 * @param image      the image
 * @param tmpfsExec  whether /tmp is mounted {@code exec}
 * @param ociRuntime the runtime entry's OCI runtime, or {@code null} for the node's {@code docker.ociRuntime}
 */
public record PoolKey(String image, boolean tmpfsExec, String ociRuntime) {

  public PoolKey(String image, boolean tmpfsExec) {
    this(image, tmpfsExec, null);
  }

  public static PoolKey of(RuntimeSpec runtime, String image) {
    return new PoolKey(image, runtime.tmpfsExec(), runtime.ociRuntime());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("image", image).put("tmpfsExec", tmpfsExec);
    if (ociRuntime != null) {
      json.put("ociRuntime", ociRuntime);
    }
    return json;
  }

  public static PoolKey fromJson(JsonObject json) {
    return new PoolKey(json.getString("image"), json.getBoolean("tmpfsExec", false), json.getString("ociRuntime"));
  }
}
