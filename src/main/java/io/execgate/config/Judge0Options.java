package io.execgate.config;

import io.vertx.core.json.JsonObject;

/**
 * The Judge0-compatible API: whether it is served under {@code /judge0}, whether the same routes are
 * also served at the root ({@code /submissions}, {@code /languages}, {@code /statuses}) for clients
 * that take only a host, and the largest batch.
 */
public class Judge0Options {

  public static final boolean DEFAULT_ENABLED = true;
  public static final boolean DEFAULT_ROOT_PATHS = false;
  /** Judge0's own default ({@code MAX_SUBMISSION_BATCH_SIZE}). */
  public static final int DEFAULT_MAX_BATCH_SIZE = 20;

  private boolean enabled;
  private boolean rootPaths;
  private int maxBatchSize;

  public Judge0Options() {
    enabled = DEFAULT_ENABLED;
    rootPaths = DEFAULT_ROOT_PATHS;
    maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
  }

  public Judge0Options(Judge0Options other) {
    this(other.toJson());
  }

  public Judge0Options(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "judge0", ConfigException::new);
    enabled = r.getBoolean("enabled", enabled);
    rootPaths = r.getBoolean("rootPaths", rootPaths);
    maxBatchSize = (int) r.getLong("maxBatchSize", maxBatchSize, 1, 1000);
    r.finish();
  }

  /**
   * @return whether the Judge0-compatible API is served under {@code /judge0}
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * @param enabled whether the Judge0-compatible API is served
   * @return a reference to this, so the API can be used fluently
   */
  public Judge0Options setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * @return whether the same routes are also served at the root ({@code /submissions}, {@code /languages},
   *   {@code /statuses}), as a Judge0 server has them
   */
  public boolean isRootPaths() {
    return rootPaths;
  }

  /**
   * @param rootPaths whether the routes are also served at the root
   * @return a reference to this, so the API can be used fluently
   */
  public Judge0Options setRootPaths(boolean rootPaths) {
    this.rootPaths = rootPaths;
    return this;
  }

  /**
   * @return the most submissions one batch may create or read
   */
  public int getMaxBatchSize() {
    return maxBatchSize;
  }

  /**
   * @param maxBatchSize the most submissions one batch may create or read
   * @return a reference to this, so the API can be used fluently
   */
  public Judge0Options setMaxBatchSize(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("rootPaths", rootPaths)
      .put("maxBatchSize", maxBatchSize);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
