package io.execgate.model;

import java.util.Locale;

/**
 * How a test's stdout is compared with its {@code expectedStdout}.
 */
public enum CompareMode {
  /** Byte for byte (as UTF-8 text). */
  EXACT,
  /** Trailing whitespace of each line and trailing newlines are ignored (the default). */
  TRIM,
  /** The whitespace-separated tokens must be equal, in order. */
  TOKENS;

  /** The mode of a request that names none. */
  public static final CompareMode DEFAULT = TRIM;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @return the mode called {@code id}, or {@code null} when there is none
   */
  public static CompareMode of(String id) {
    for (CompareMode m : values()) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return null;
  }
}
