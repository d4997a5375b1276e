package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One rich result of a stateful Python cell, as its {@code display} frame and its result's
 * {@code outputs} carry it: a matplotlib figure ({@code image/png}), or one representation of the
 * cell's last expression (its {@code _repr_png_}, {@code _repr_svg_}, {@code _repr_html_}, ... and its
 * {@code text/plain} repr, like a notebook's mime bundle).
 *
 * @param mediaType what {@code data} is, e.g. {@code image/png}, {@code text/html}
 * @param data      the content: text for {@code text/*} and {@code image/svg+xml}, base64 for every other
 *                  media type
 */
public record DisplayOutput(String mediaType, String data) {

  /** Heap and JSON an output takes besides its data, about. */
  static final int OVERHEAD_BYTES = 64;

  /**
   * @return an output of {@code content}, as text or base64 according to {@code mediaType}
   */
  public static DisplayOutput of(String mediaType, byte[] content) {
    return new DisplayOutput(mediaType, isText(mediaType) ? new String(content, StandardCharsets.UTF_8)
      : Base64.getEncoder().encodeToString(content));
  }

  /**
   * @return whether outputs of {@code mediaType} carry text ({@code text/*} and {@code image/svg+xml})
   *   rather than base64
   */
  public static boolean isText(String mediaType) {
    return mediaType.startsWith("text/") || mediaType.equals("image/svg+xml");
  }

  /**
   * @return what it takes in a record and in a frame, about
   */
  public long encodedBytes() {
    return (long) data.length() + mediaType.length() + OVERHEAD_BYTES;
  }

  public JsonObject toJson() {
    return new JsonObject().put("mediaType", mediaType).put("data", data);
  }

  public static DisplayOutput fromJson(JsonObject json) {
    return new DisplayOutput(json.getString("mediaType"), json.getString("data", ""));
  }
}
