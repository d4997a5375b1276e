package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The rich results of a stateful Python cell, as its result carries them: {@code outputs} (absent
 * when there are none) and {@code outputsTruncated} (present only when true).
 *
 * @param items     the outputs, in the order the cell made them
 * @param truncated whether some were left out: past the most one cell returns, or past
 *                  {@code limits.outputFilesBytes}, which they share with the returned files
 */
public record DisplayOutputs(List<DisplayOutput> items, boolean truncated) {

  public DisplayOutputs {
    items = List.copyOf(items);
  }

  /**
   * @return what they take in a record
   */
  public long encodedBytes() {
    return items.stream().mapToLong(DisplayOutput::encodedBytes).sum();
  }

  /**
   * @return the same, without the items (sent as {@code display} frames, they leave the {@code exit} frame);
   *   {@code null} when nothing is left to say
   */
  public DisplayOutputs withoutItems() {
    return truncated ? new DisplayOutputs(List.of(), true) : null;
  }

  /**
   * Writes {@code outputs} (when there are any) and {@code outputsTruncated} (when true) into a result's JSON.
   */
  public void writeTo(JsonObject json) {
    if (!items.isEmpty()) {
      JsonArray array = new JsonArray(new ArrayList<>(items.size()));
      items.forEach(o -> array.add(o.toJson()));
      json.put("outputs", array);
    }
    if (truncated) {
      json.put("outputsTruncated", true);
    }
  }

  /**
   * @return the outputs of a result's JSON, or {@code null} when it has none and says none were left out
   */
  public static DisplayOutputs readFrom(JsonObject json) {
    JsonArray array = json.getJsonArray("outputs");
    boolean truncated = json.getBoolean("outputsTruncated", false);
    if (array == null && !truncated) {
      return null;
    }
    List<DisplayOutput> items = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        items.add(DisplayOutput.fromJson(array.getJsonObject(i)));
      }
    }
    return new DisplayOutputs(items, truncated);
  }
}
