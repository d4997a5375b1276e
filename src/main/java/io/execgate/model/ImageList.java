package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The image cache's view of its images, and its counters.
 *
 * @param images every image it knows about
 * @param stats  its counters
 */
public record ImageList(List<ImageInfo> images, ImageStats stats) {

  public ImageList {
    images = List.copyOf(images);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    images.forEach(i -> array.add(i.toJson()));
    return new JsonObject().put("images", array).put("stats", stats.toJson());
  }

  public static ImageList fromJson(JsonObject json) {
    List<ImageInfo> images = new ArrayList<>();
    json.getJsonArray("images").forEach(i -> images.add(ImageInfo.fromJson((JsonObject) i)));
    return new ImageList(images, ImageStats.fromJson(json.getJsonObject("stats")));
  }
}
