package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * A completion webhook to deliver once its execution or batch is final.
 *
 * @param batch whether {@code id} names a batch (event {@code batch.completed}), else an execution
 *              ({@code execution.completed})
 * @param id    the execution or batch id
 * @param url   the callback URL, checked against the allow-list at submit
 * @param owner the id of the API key that owns it (its webhook secret signs the delivery)
 * @param judge0 whether it is a Judge0 submission's {@code callback_url}: a PUT of the submission as
 *               Judge0 serializes it, rather than a POST of the record
 */
public record CallbackRequest(boolean batch, String id, String url, String owner, boolean judge0) {

  /**
   * A callback of the native API.
   */
  public CallbackRequest(boolean batch, String id, String url, String owner) {
    this(batch, id, url, owner, false);
  }

  /**
   * @return the value of the {@code Execgate-Event} header
   */
  public String event() {
    return batch ? "batch.completed" : "execution.completed";
  }

  public JsonObject toJson() {
    return new JsonObject().put("batch", batch).put("id", id).put("url", url).put("owner", owner).put("judge0", judge0);
  }

  public static CallbackRequest fromJson(JsonObject json) {
    return new CallbackRequest(json.getBoolean("batch", false), json.getString("id"), json.getString("url"),
      json.getString("owner"), json.getBoolean("judge0", false));
  }
}
