package io.execgate.http;

import io.vertx.core.json.JsonObject;

/**
 * What the Judge0 layer keeps of a submission besides its execution's record (kept for as long as
 * that record): the language id it was asked for, the digest of its expected output (Judge0's verdict
 * compares with it), and, when they are small, the request's texts and settings to echo back.
 *
 * @param languageId     the {@code language_id} of the request
 * @param expectedDigest SHA-256 (hex) of the expected output, normalized Judge0's way, or {@code null} for none
 * @param sourceCode     the source as text, or {@code null} when not kept (large)
 * @param stdin          the input as text, or {@code null}
 * @param expectedOutput the expected output as text, or {@code null}
 * @param settings       the request's other fields as given ({@code cpu_time_limit}, ...), to echo back
 */
record Judge0Submission(int languageId, String expectedDigest, String sourceCode, String stdin, String expectedOutput,
                        JsonObject settings) {

  JsonObject toJson() {
    return new JsonObject()
      .put("languageId", languageId)
      .put("expectedDigest", expectedDigest)
      .put("sourceCode", sourceCode)
      .put("stdin", stdin)
      .put("expectedOutput", expectedOutput)
      .put("settings", settings);
  }

  static Judge0Submission fromJson(JsonObject json) {
    return new Judge0Submission(json.getInteger("languageId", 0), json.getString("expectedDigest"),
      json.getString("sourceCode"), json.getString("stdin"), json.getString("expectedOutput"),
      json.getJsonObject("settings", new JsonObject()));
  }
}
