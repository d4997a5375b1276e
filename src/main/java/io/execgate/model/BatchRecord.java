package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A batch as the store keeps it: its executions, in the order they were given, and who owns it. Its
 * status and counts are read from its executions' records.
 *
 * @param id           the batch id
 * @param owner        the id of the API key that submitted it
 * @param createdAt    epoch milliseconds of the submit
 * @param executionIds its executions' ids, in request order
 * @param callbackUrl  where its completion is delivered, or {@code null}
 */
public record BatchRecord(String id, String owner, long createdAt, List<String> executionIds, String callbackUrl) {

  public BatchRecord {
    executionIds = List.copyOf(executionIds);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("owner", owner).put("createdAt", createdAt)
      .put("executions", new JsonArray(List.copyOf(executionIds)));
    if (callbackUrl != null) {
      json.put("callbackUrl", callbackUrl);
    }
    return json;
  }

  public static BatchRecord fromJson(JsonObject json) {
    return new BatchRecord(json.getString("id"), json.getString("owner"), json.getLong("createdAt", 0L),
      json.getJsonArray("executions").stream().map(String::valueOf).toList(), json.getString("callbackUrl"));
  }
}
