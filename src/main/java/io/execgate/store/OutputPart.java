package io.execgate.store;

/**
 * The texts a record may hold: the run step's stdout and stderr, and a compile step's.
 */
public enum OutputPart {
  STDOUT("stdout"),
  STDERR("stderr"),
  COMPILE_STDOUT("compileStdout"),
  COMPILE_STDERR("compileStderr");

  private final String key;

  OutputPart(String key) {
    this.key = key;
  }

  /**
   * @return its name in the store's keys
   */
  public String key() {
    return key;
  }

  /**
   * @return whether it is a compile step's
   */
  public boolean compile() {
    return this == COMPILE_STDOUT || this == COMPILE_STDERR;
  }

  /**
   * @return whether it is a stderr
   */
  public boolean stderr() {
    return this == STDERR || this == COMPILE_STDERR;
  }

  /**
   * @return the part of that stream and step
   */
  public static OutputPart of(boolean stderr, boolean compile) {
    return compile ? (stderr ? COMPILE_STDERR : COMPILE_STDOUT) : (stderr ? STDERR : STDOUT);
  }
}
