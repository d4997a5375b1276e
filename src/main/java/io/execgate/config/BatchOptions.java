package io.execgate.config;

import io.vertx.core.json.JsonObject;

/**
 * Batches ({@code POST /v1/batches}): how many executions one batch may carry.
 */
public class BatchOptions {

  public static final int DEFAULT_MAX_EXECUTIONS = 100;

  private int maxExecutions;

  public BatchOptions() {
    maxExecutions = DEFAULT_MAX_EXECUTIONS;
  }

  public BatchOptions(BatchOptions other) {
    this(other.toJson());
  }

  public BatchOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "batches", ConfigException::new);
    maxExecutions = r.getInt("maxExecutions", maxExecutions, 1, 10_000);
    r.finish();
  }

  /**
   * @return the most executions one batch may carry; one more is refused with 400
   */
  public int getMaxExecutions() {
    return maxExecutions;
  }

  /**
   * @param maxExecutions the most executions one batch may carry
   * @return a reference to this, so the API can be used fluently
   */
  public BatchOptions setMaxExecutions(int maxExecutions) {
    this.maxExecutions = maxExecutions;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject().put("maxExecutions", maxExecutions);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
