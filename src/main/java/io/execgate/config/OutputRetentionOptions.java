package io.execgate.config;

import io.vertx.core.json.JsonObject;

/**
 * How much output the records of a node hold: a bound per stream of one record, and budgets per
 * node and per API key past which the oldest records' output is evicted (the record says so).
 * Sizes are UTF-8 bytes of the decoded text, which is at least what the text takes on the heap.
 */
public class OutputRetentionOptions {

  public static final long DEFAULT_MAX_BYTES = 64L << 20;
  public static final long DEFAULT_MAX_BYTES_PER_KEY = 16L << 20;
  public static final long DEFAULT_MAX_STREAM_BYTES = 4L << 20;

  private long maxBytes;
  private long maxBytesPerKey;
  private long maxStreamBytes;

  public OutputRetentionOptions() {
    maxBytes = DEFAULT_MAX_BYTES;
    maxBytesPerKey = DEFAULT_MAX_BYTES_PER_KEY;
    maxStreamBytes = DEFAULT_MAX_STREAM_BYTES;
  }

  public OutputRetentionOptions(OutputRetentionOptions other) {
    this(other.toJson());
  }

  public OutputRetentionOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "executor.outputRetention", ConfigException::new);
    maxBytes = r.getLong("maxBytes", maxBytes, 1 << 20, 1L << 40);
    maxBytesPerKey = r.getLong("maxBytesPerKey", maxBytesPerKey, 64 * 1024, 1L << 40);
    maxStreamBytes = r.getLong("maxStreamBytes", maxStreamBytes, 1024, 1L << 40);
    r.finish();
    if (maxBytesPerKey > maxBytes) {
      throw new ConfigException("executor.outputRetention.maxBytesPerKey",
        "executor.outputRetention.maxBytesPerKey is above executor.outputRetention.maxBytes");
    }
  }

  /**
   * @return the output all records written by this node may hold together (running executions'
   *   included); past it the oldest records' output is evicted, the key holding the most first
   */
  public long getMaxBytes() {
    return maxBytes;
  }

  /**
   * @param maxBytes the output all records written by this node may hold together
   * @return a reference to this, so the API can be used fluently
   */
  public OutputRetentionOptions setMaxBytes(long maxBytes) {
    this.maxBytes = maxBytes;
    return this;
  }

  /**
   * @return the output the records of one API key may hold on this node; past it that key's oldest
   *   records' output is evicted
   */
  public long getMaxBytesPerKey() {
    return maxBytesPerKey;
  }

  /**
   * @param maxBytesPerKey the output the records of one API key may hold on this node
   * @return a reference to this, so the API can be used fluently
   */
  public OutputRetentionOptions setMaxBytesPerKey(long maxBytesPerKey) {
    this.maxBytesPerKey = maxBytesPerKey;
    return this;
  }

  /**
   * @return the most of one stream (stdout or stderr) of one step a record holds: its first bytes;
   *   the rest was streamed live but is only counted in the record
   */
  public long getMaxStreamBytes() {
    return maxStreamBytes;
  }

  /**
   * @param maxStreamBytes the most of one stream of one step a record holds
   * @return a reference to this, so the API can be used fluently
   */
  public OutputRetentionOptions setMaxStreamBytes(long maxStreamBytes) {
    this.maxStreamBytes = maxStreamBytes;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("maxBytes", maxBytes)
      .put("maxBytesPerKey", maxBytesPerKey)
      .put("maxStreamBytes", maxStreamBytes);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
