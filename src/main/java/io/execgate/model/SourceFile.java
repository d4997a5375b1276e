package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One file written into the sandbox's working directory before the program runs.
 *
 * @param name    a relative path without {@code ..} segments
 * @param content the file's bytes
 */
public record SourceFile(String name, byte[] content) {

  public SourceFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
  }

  /**
   * @param name a relative path
   * @param text the file's content, encoded as UTF-8
   * @return the file
   */
  public static SourceFile utf8(String name, String text) {
    return new SourceFile(name, text.getBytes(StandardCharsets.UTF_8));
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("content", content);
  }

  public static SourceFile fromJson(JsonObject json) {
    return new SourceFile(json.getString("name"), json.getBinary("content"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceFile other && name.equals(other.name) && Arrays.equals(content, other.content);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    return "SourceFile[" + name + ", " + content.length + " bytes]";
  }
}
