package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * How much of an execution's output its record does not hold, so that a record is never silently
 * short: the part of each stream past the record's per-stream bound, and whether the node's or the
 * key's budget of retained output took the whole output away.
 *
 * @param stdoutOmittedBytes UTF-8 bytes of the run's stdout (as streamed) that the record does not hold
 * @param stderrOmittedBytes the same for stderr
 * @param evicted            whether the record's output (compile step included) was evicted
 */
public record OutputRetention(long stdoutOmittedBytes, long stderrOmittedBytes, boolean evicted) {

  /** Everything the program wrote (up to its cap) is in the record. */
  public static final OutputRetention COMPLETE = new OutputRetention(0, 0, false);

  /**
   * @return the same, with the output evicted
   */
  public OutputRetention withEvicted() {
    return new OutputRetention(stdoutOmittedBytes, stderrOmittedBytes, true);
  }

  /**
   * Adds the fields that say something to a record's JSON: nothing when the record is complete.
   */
  void writeTo(JsonObject json) {
    if (stdoutOmittedBytes > 0) {
      json.put("stdoutOmittedBytes", stdoutOmittedBytes);
    }
    if (stderrOmittedBytes > 0) {
      json.put("stderrOmittedBytes", stderrOmittedBytes);
    }
    if (evicted) {
      json.put("outputEvicted", true);
    }
  }

  static OutputRetention fromJson(JsonObject json) {
    long out = json.getLong("stdoutOmittedBytes", 0L);
    long err = json.getLong("stderrOmittedBytes", 0L);
    boolean evicted = json.getBoolean("outputEvicted", false);
    return out == 0 && err == 0 && !evicted ? COMPLETE : new OutputRetention(out, err, evicted);
  }
}
