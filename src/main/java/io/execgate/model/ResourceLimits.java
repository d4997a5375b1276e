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
 * @param outputFilesBytes cap on the bytes of the files the program leaves in {@code out/}, returned
 *                    with the result; files past it are left out ({@code outputFilesTruncated})
 */
public record ResourceLimits(long timeoutMs, int memoryMb, double cpus, int pids, long outputBytes,
                             long outputFilesBytes) {

  /** The default cap on the files returned from {@code out/}. */
  public static final long DEFAULT_OUTPUT_FILES_BYTES = 2L << 20;
  /** The default maximum of {@link #outputFilesBytes()}. */
  public static final long DEFAULT_MAX_OUTPUT_FILES_BYTES = 8L << 20;
  public static final ResourceLimits DEFAULTS = new ResourceLimits(10_000, 256, 1.0, 128, 1 << 20,
    DEFAULT_OUTPUT_FILES_BYTES);
  public static final ResourceLimits DEFAULT_MAXIMA = new ResourceLimits(60_000, 1024, 2.0, 512, 4L << 20,
    DEFAULT_MAX_OUTPUT_FILES_BYTES);

  /**
   * Limits with the default cap on returned files.
   */
  public ResourceLimits(long timeoutMs, int memoryMb, double cpus, int pids, long outputBytes) {
    this(timeoutMs, memoryMb, cpus, pids, outputBytes, DEFAULT_OUTPUT_FILES_BYTES);
  }

  /**
   * @return the same limits with another cap per stream
   */
  public ResourceLimits withOutputBytes(long newOutputBytes) {
    return new ResourceLimits(timeoutMs, memoryMb, cpus, pids, newOutputBytes, outputFilesBytes);
  }

  /**
   * @return the same limits with another cap on returned files
   */
  public ResourceLimits withOutputFilesBytes(long newOutputFilesBytes) {
    return new ResourceLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, newOutputFilesBytes);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("timeoutMs", timeoutMs)
      .put("memoryMb", memoryMb)
      .put("cpus", cpus)
      .put("pids", pids)
      .put("outputBytes", outputBytes)
      .put("outputFilesBytes", outputFilesBytes);
  }

  public static ResourceLimits fromJson(JsonObject json) {
    return new ResourceLimits(
      json.getLong("timeoutMs"),
      json.getInteger("memoryMb"),
      json.getDouble("cpus"),
      json.getInteger("pids"),
      json.getLong("outputBytes"),
      json.getLong("outputFilesBytes", DEFAULT_OUTPUT_FILES_BYTES));
  }
}
