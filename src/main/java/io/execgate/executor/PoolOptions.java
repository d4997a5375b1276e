package io.execgate.executor;

import io.execgate.error.ConfigException;
import io.execgate.impl.JsonReader;
import io.vertx.core.json.JsonObject;

/**
 * The warm pool: containers created and started ahead of demand, each waiting for its one program.
 */
public class PoolOptions {

  public static final boolean DEFAULT_ENABLED = true;
  public static final int DEFAULT_SIZE = 2;
  public static final int DEFAULT_REFILL_CONCURRENCY = 2;
  public static final long DEFAULT_MAX_IDLE_SECONDS = 300;

  private boolean enabled;
  private int size;
  private int refillConcurrency;
  private long maxIdleSeconds;

  public PoolOptions() {
    enabled = DEFAULT_ENABLED;
    size = DEFAULT_SIZE;
    refillConcurrency = DEFAULT_REFILL_CONCURRENCY;
    maxIdleSeconds = DEFAULT_MAX_IDLE_SECONDS;
  }

  public PoolOptions(PoolOptions other) {
    this(other.toJson());
  }

  public PoolOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "executor.pool", ConfigException::new);
    enabled = r.getBoolean("enabled", enabled);
    size = r.getInt("size", size, 0, 1024);
    refillConcurrency = r.getInt("refillConcurrency", refillConcurrency, 1, 64);
    maxIdleSeconds = r.getLong("maxIdleSeconds", maxIdleSeconds, 1, 86_400);
    r.finish();
  }

  /**
   * @return whether executions use warm containers when one is ready (they fall back to a cold start otherwise)
   */
  public boolean isEnabled() {
    return enabled;
  }

  public PoolOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * @return warm containers kept ready per runtime image
   */
  public int getSize() {
    return size;
  }

  public PoolOptions setSize(int size) {
    this.size = size;
    return this;
  }

  /**
   * @return containers being created at once to refill the pools
   */
  public int getRefillConcurrency() {
    return refillConcurrency;
  }

  public PoolOptions setRefillConcurrency(int refillConcurrency) {
    this.refillConcurrency = refillConcurrency;
    return this;
  }

  /**
   * @return how long a warm container may wait before it is replaced by a fresh one
   */
  public long getMaxIdleSeconds() {
    return maxIdleSeconds;
  }

  public PoolOptions setMaxIdleSeconds(long maxIdleSeconds) {
    this.maxIdleSeconds = maxIdleSeconds;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("size", size)
      .put("refillConcurrency", refillConcurrency)
      .put("maxIdleSeconds", maxIdleSeconds);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
