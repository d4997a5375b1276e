package io.execgate.executor;

import io.execgate.config.ExecutorOptions;

/**
 * Whether the sandboxes' worst case fits the engine host: {@code maxConcurrent} sandboxes at
 * {@code maxLimits.memoryMb} each (their /tmp is charged to the same limit) against the host's
 * memory minus a reserve for the engine, the system and the gateway itself.
 */
public final class HostMemory {

  private HostMemory() {
  }

  /**
   * @param options   the executor's options
   * @param hostBytes the engine host's memory as the engine reports it; 0 or less when unknown
   * @return {@code null} when the worst case fits (or the host's memory is unknown), else why not
   */
  public static String problem(ExecutorOptions options, long hostBytes) {
    if (hostBytes <= 0) {
      return null;
    }
    long worstMb = (long) options.getMaxConcurrent() * options.getMaxLimits().memoryMb();
    long hostMb = hostBytes >> 20;
    long availableMb = hostMb - options.getHostMemoryReserveMb();
    if (worstMb <= availableMb) {
      return null;
    }
    return "the sandboxes' worst case, executor.maxConcurrent " + options.getMaxConcurrent()
      + " x executor.maxLimits.memoryMb " + options.getMaxLimits().memoryMb() + " = " + worstMb
      + " MiB, exceeds the engine host's memory " + hostMb + " MiB minus executor.hostMemoryReserveMb "
      + options.getHostMemoryReserveMb() + " MiB = " + availableMb + " MiB";
  }
}
