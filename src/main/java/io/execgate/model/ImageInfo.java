package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * What the image cache knows about one image.
 *
 * @param image      the image as requests and runtimes name it, after the registry prefix
 * @param localImage the local reference executions are created from (differs from {@code image} when a
 *                   runtime's image came from {@code CUSTOM_IMAGE_REGISTRY}), or {@code null} while unknown
 * @param state      where it stands
 * @param id         the engine's image id, or {@code null} when not present
 * @param sizeBytes  its size, or {@code null} when not present
 * @param lastUsedAt epoch milliseconds of the last execution or pre-pull that used it, or {@code null}
 * @param attempts   pull attempts of the current or last pull (0 when never pulled)
 * @param errorCode  the error code of the last failure or refusal, or {@code null}
 * @param error      the message of the last failure or refusal, or {@code null}
 */
public record ImageInfo(String image, String localImage, ImageState state, String id, Long sizeBytes,
                        Long lastUsedAt, int attempts, String errorCode, String error) {

  /**
   * @return whether an execution can be created from {@link #localImage()} now
   */
  public boolean usable() {
    return state == ImageState.PRESENT && localImage != null;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("image", image)
      .put("localImage", localImage)
      .put("state", state.id())
      .put("id", id)
      .put("sizeBytes", sizeBytes)
      .put("lastUsedAt", lastUsedAt)
      .put("attempts", attempts);
    if (error != null) {
      json.put("lastError", new JsonObject().put("code", errorCode).put("message", error));
    }
    return json;
  }

  public static ImageInfo fromJson(JsonObject json) {
    JsonObject err = json.getJsonObject("lastError");
    return new ImageInfo(json.getString("image"), json.getString("localImage"), ImageState.of(json.getString("state")),
      json.getString("id"), json.getLong("sizeBytes"), json.getLong("lastUsedAt"), json.getInteger("attempts", 0),
      err == null ? null : err.getString("code"), err == null ? null : err.getString("message"));
  }
}
