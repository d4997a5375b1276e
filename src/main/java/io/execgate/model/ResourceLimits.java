package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * The resources one execution may use. Requests may only lower or keep the operator's maxima.
 *
 * @param timeoutMs   wall-clock deadline of the run step, after which the container is killed
 * @param memoryMb    memory limit (swap is set equal: no swap)
 * @param cpus        CPU quota in cores
 * @param pids        maximum number of processes and threads
 * @param outputBytes cap on each of stdout and stderr; passing it kills the container
 */
public record ResourceLimits(long timeoutMs, int memoryMb, double cpus, int pids, long outputBytes) {

  public static final ResourceLimits DEFAULTS = new ResourceLimits(10_000, 256, 1.0, 128, 1 << 20);
  public static final ResourceLimits DEFAULT_MAXIMA = new ResourceLimits(60_000, 1024, 2.0, 512, 4L << 20);

  /**
   * @return the same limits with another cap per stream
   */
  public ResourceLimits withOutputBytes(long newOutputBytes) {
    return new ResourceLimits(timeoutMs, memoryMb, cpus, pids, newOutputBytes);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("timeoutMs", timeoutMs)
      .put("memoryMb", memoryMb)
      .put("cpus", cpus)
      .put("pids", pids)
      .put("outputBytes", outputBytes);
  }

  public static ResourceLimits fromJson(JsonObject json) {
    return new ResourceLimits(
      json.getLong("timeoutMs"),
      json.getInteger("memoryMb"),
      json.getDouble("cpus"),
      json.getInteger("pids"),
      json.getLong("outputBytes"));
  }
}
