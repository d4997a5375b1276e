package io.execgate.config;

import java.util.Locale;

/**
 * What the gateway does at startup when the configured worst case of sandbox memory
 * ({@code maxConcurrent} x {@code maxLimits.memoryMb}) exceeds the engine host's memory minus
 * {@code hostMemoryReserveMb} ({@code executor.hostMemoryCheck}).
 */
public enum HostMemoryCheck {
  /** No check. */
  OFF,
  /** One warning in the log; the gateway starts. */
  WARN,
  /** The gateway does not start: one line naming the figures, exit code 2. */
  REFUSE;

  /**
   * @return its name in the configuration
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @return the check of that name in the configuration, or null for none
   */
  public static HostMemoryCheck of(String id) {
    for (HostMemoryCheck c : values()) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    return null;
  }
}
