package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * What the sandbox consumed, read from its cgroup when the program ended.
 *
 * @param cpuMs           CPU time in milliseconds, or {@code null} when unknown
 * @param memoryPeakBytes peak memory in bytes, or {@code null} when unknown
 */
public record Usage(Long cpuMs, Long memoryPeakBytes) {

  public static final Usage UNKNOWN = new Usage(null, null);

  public JsonObject toJson() {
    return new JsonObject().put("cpuMs", cpuMs).put("memoryPeakBytes", memoryPeakBytes);
  }

  public static Usage fromJson(JsonObject json) {
    return json == null ? UNKNOWN : new Usage(json.getLong("cpuMs"), json.getLong("memoryPeakBytes"));
  }
}
