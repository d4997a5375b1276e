package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The files a program left in {@code out/} under its working directory, as its result carries them:
 * {@code files} and {@code outputFilesTruncated}.
 *
 * @param files     the regular files, in the order the sandbox listed them
 * @param truncated whether some were left out: past {@code limits.outputFilesBytes} or the most files
 *                  a result carries, or cut short by the program's end
 */
public record OutputFiles(List<OutputFile> files, boolean truncated) {

  /** No files, none left out. */
  public static final OutputFiles NONE = new OutputFiles(List.of(), false);

  public OutputFiles {
    files = List.copyOf(files);
  }

  /**
   * @return the bytes of all the files
   */
  public long bytes() {
    return files.stream().mapToLong(OutputFile::size).sum();
  }

  /**
   * @return what they take in a record (base64 and names)
   */
  public long encodedBytes() {
    return files.stream().mapToLong(OutputFile::encodedBytes).sum();
  }

  /**
   * Writes {@code files} and {@code outputFilesTruncated} into a result's JSON.
   */
  public void writeTo(JsonObject json) {
    JsonArray array = new JsonArray(new ArrayList<>(files.size()));
    files.forEach(f -> array.add(f.toJson()));
    json.put("files", array).put("outputFilesTruncated", truncated);
  }

  /**
   * @return the files of a result's JSON, or {@code null} when it has none
   */
  public static OutputFiles fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("files");
    if (array == null) {
      return null;
    }
    List<OutputFile> files = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      files.add(OutputFile.fromJson(array.getJsonObject(i)));
    }
    return new OutputFiles(files, json.getBoolean("outputFilesTruncated", false));
  }
}
