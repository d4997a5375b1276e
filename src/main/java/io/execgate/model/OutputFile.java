package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Base64;

/**
 * A file the program left in {@code out/} under its working directory, returned with the result.
 *
 * @param name      its path relative to {@code out/}, with {@code /} between directories (checked: no
 *                  {@code ..}, no absolute path, no control characters)
 * @param mediaType what its extension says it is ({@code application/octet-stream} when it says
 *                  nothing); a label, not a sniffed type
 * @param content   its bytes
 */
public record OutputFile(String name, String mediaType, byte[] content) {

  /** The only encoding of {@code content} in JSON. */
  public static final String BASE64 = "base64";

  /**
   * @return its size in bytes
   */
  public long size() {
    return content.length;
  }

  /**
   * @return what it takes in a record: its content in base64, its name and its type
   */
  public long encodedBytes() {
    return 4L * ((content.length + 2) / 3) + name.length() + mediaType.length() + 64;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("name", name)
      .put("size", content.length)
      .put("mediaType", mediaType)
      .put("encoding", BASE64)
      .put("content", Base64.getEncoder().encodeToString(content));
  }

  public static OutputFile fromJson(JsonObject json) {
    return new OutputFile(json.getString("name"), json.getString("mediaType"),
      Base64.getDecoder().decode(json.getString("content", "")));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputFile f && name.equals(f.name) && mediaType.equals(f.mediaType)
      && Arrays.equals(content, f.content);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    return "OutputFile[" + name + ", " + mediaType + ", " + content.length + " bytes]";
  }
}
