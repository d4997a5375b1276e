package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * The limits a request asks for. Each may only lower or keep the operator's maximum; a
 * {@code null} one takes the operator's default.
 *
 * @param timeoutMs        the run step's wall-clock deadline
 * @param memoryMb         the memory limit of the sandbox
 * @param cpus             the CPU quota, in cores
 * @param pids             the most processes and threads
 * @param outputBytes      the cap on each of stdout and stderr
 * @param compileTimeoutMs the compile step's deadline (compiled runtimes)
 * @param outputFilesBytes the cap on the files returned from {@code out/}
 */
public record RequestLimits(Long timeoutMs, Integer memoryMb, Double cpus, Integer pids, Long outputBytes,
                            Long compileTimeoutMs, Long outputFilesBytes) {

  private static final RequestLimits DEFAULTS = new RequestLimits(null, null, null, null, null, null, null);

  /**
   * Limits that take the operator's default cap on returned files.
   */
  public RequestLimits(Long timeoutMs, Integer memoryMb, Double cpus, Integer pids, Long outputBytes,
                       Long compileTimeoutMs) {
    this(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, null);
  }

  /**
   * @return limits that take every default of the operator
   */
  public static RequestLimits defaults() {
    return DEFAULTS;
  }

  /**
   * @return a copy with the run step's deadline
   */
  public RequestLimits withTimeoutMs(long timeoutMs) {
    return new RequestLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, outputFilesBytes);
  }

  /**
   * @return a copy with the memory limit
   */
  public RequestLimits withMemoryMb(int memoryMb) {
    return new RequestLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, outputFilesBytes);
  }

  /**
   * @return a copy with the CPU quota
   */
  public RequestLimits withCpus(double cpus) {
    return new RequestLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, outputFilesBytes);
  }

  /**
   * @return a copy with the process limit
   */
  public RequestLimits withPids(int pids) {
    return new RequestLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, outputFilesBytes);
  }

  /**
   * @return a copy with the cap on each output stream
   */
  public RequestLimits withOutputBytes(long outputBytes) {
    return new RequestLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, outputFilesBytes);
  }

  /**
   * @return a copy with the compile step's deadline
   */
  public RequestLimits withCompileTimeoutMs(long compileTimeoutMs) {
    return new RequestLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, outputFilesBytes);
  }

  /**
   * @return a copy with the cap on returned files
   */
  public RequestLimits withOutputFilesBytes(long outputFilesBytes) {
    return new RequestLimits(timeoutMs, memoryMb, cpus, pids, outputBytes, compileTimeoutMs, outputFilesBytes);
  }

  /**
   * @return the {@code limits} object of a submit body (only the limits that are set)
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("timeoutMs", timeoutMs).put("memoryMb", memoryMb).put("cpus", cpus)
      .put("pids", pids).put("outputBytes", outputBytes).put("compileTimeoutMs", compileTimeoutMs)
      .put("outputFilesBytes", outputFilesBytes);
    json.fieldNames().removeIf(key -> json.getValue(key) == null);
    return json;
  }
}
