package io.execgate.config;

/**
 * A configuration value that cannot work, with the path of the key at fault.
 */
public final class ConfigException extends IllegalArgumentException {

  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /**
   * @return the dotted path of the key at fault
   */
  public String key() {
    return key;
  }
}
