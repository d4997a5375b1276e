package io.execgate.auth;

import io.execgate.config.ConfigException;
import io.execgate.config.JsonReader;
import io.vertx.core.json.JsonObject;

/**
 * The share of an API key that sets none of its own: its quota of admitted executions, its request
 * rate, its streams and its weight in the fair queue. So that no key, however it was configured
 * ({@code EXECGATE_API_KEYS} sets none), can take the whole gateway. The anonymous caller of a
 * gateway without keys is its only tenant: no default applies to it.
 */
public class KeyDefaults {

  public static final int DEFAULT_MAX_CONCURRENT = 32;
  public static final int DEFAULT_RATE_PER_MINUTE = 600;
  public static final int DEFAULT_MAX_STREAMS = 32;
  public static final int DEFAULT_WEIGHT = 1;

  private int maxConcurrent;
  private int ratePerMinute;
  private int maxStreams;
  private int weight;

  public KeyDefaults() {
    maxConcurrent = DEFAULT_MAX_CONCURRENT;
    ratePerMinute = DEFAULT_RATE_PER_MINUTE;
    maxStreams = DEFAULT_MAX_STREAMS;
    weight = DEFAULT_WEIGHT;
  }

  public KeyDefaults(KeyDefaults other) {
    this(other.toJson());
  }

  public KeyDefaults(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json == null ? new JsonObject() : json, "auth.keyDefaults", ConfigException::new);
    maxConcurrent = r.getInt("maxConcurrent", maxConcurrent, 0, 1_000_000);
    ratePerMinute = r.getInt("ratePerMinute", ratePerMinute, 0, 100_000_000);
    maxStreams = r.getInt("maxStreams", maxStreams, 0, 1_000_000);
    weight = r.getInt("weight", weight, 1, 1_000);
    r.finish();
  }

  /**
   * @return executions a key may have admitted at once (running or queued), cluster-wide; 0: no quota
   */
  public int getMaxConcurrent() {
    return maxConcurrent;
  }

  /**
   * Set the default quota of admitted executions.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public KeyDefaults setMaxConcurrent(int maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
    return this;
  }

  /**
   * @return requests per minute of a key (token bucket: a burst of this many); 0: no limit
   */
  public int getRatePerMinute() {
    return ratePerMinute;
  }

  /**
   * Set the default request rate.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public KeyDefaults setRatePerMinute(int ratePerMinute) {
    this.ratePerMinute = ratePerMinute;
    return this;
  }

  /**
   * @return streams a key may hold open at once on one gateway node; 0: no limit (the node's
   *   {@code http.maxStreams} still applies)
   */
  public int getMaxStreams() {
    return maxStreams;
  }

  /**
   * Set the default stream limit.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public KeyDefaults setMaxStreams(int maxStreams) {
    this.maxStreams = maxStreams;
    return this;
  }

  /**
   * @return a key's weight in the fair queue for run slots
   */
  public int getWeight() {
    return weight;
  }

  /**
   * Set the default weight.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public KeyDefaults setWeight(int weight) {
    this.weight = weight;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("maxConcurrent", maxConcurrent)
      .put("ratePerMinute", ratePerMinute)
      .put("maxStreams", maxStreams)
      .put("weight", weight);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
