package io.execgate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

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
  private List<String> runtimes;

  public PoolOptions() {
    enabled = DEFAULT_ENABLED;
    size = DEFAULT_SIZE;
    refillConcurrency = DEFAULT_REFILL_CONCURRENCY;
    maxIdleSeconds = DEFAULT_MAX_IDLE_SECONDS;
    runtimes = new ArrayList<>();
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
    runtimes = new ArrayList<>(r.getStrings("runtimes", runtimes));
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

  /**
   * @return names of the runtimes that get a warm pool; empty means all of them
   */
  public List<String> getRuntimes() {
    return runtimes;
  }

  public PoolOptions setRuntimes(List<String> runtimes) {
    this.runtimes = new ArrayList<>(runtimes);
    return this;
  }

  /**
   * @return whether {@code runtime} gets a warm pool
   */
  public boolean pools(String runtime) {
    return runtimes.isEmpty() || runtimes.contains(runtime);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("size", size)
      .put("refillConcurrency", refillConcurrency)
      .put("maxIdleSeconds", maxIdleSeconds)
      .put("runtimes", new JsonArray(new ArrayList<>(runtimes)));
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
