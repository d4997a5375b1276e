package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * Asks the image cache to make an image usable: present locally (pulled once if needed, however
 * many requests wait for it) and checked against the sandbox's needs.
 *
 * @param image       the image, as a request or a runtime names it
 * @param untilUsable {@code true}: answer when the image is usable (or definitely not);
 *                    {@code false}: start what is needed and answer at once with the current
 *                    {@link ImageInfo}, {@code pulling} when a pull is needed
 */
public record ImageRequest(String image, boolean untilUsable) {

  public JsonObject toJson() {
    return new JsonObject().put("image", image).put("untilUsable", untilUsable);
  }

  public static ImageRequest fromJson(JsonObject json) {
    return new ImageRequest(json.getString("image"), json.getBoolean("untilUsable", true));
  }
}
