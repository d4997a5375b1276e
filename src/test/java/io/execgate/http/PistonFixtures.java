package io.execgate.http;

import io.vertx.core.json.JsonObject;

/**
 * Requests from Piston's own documentation, used as they are by the mapper's unit test and the
 * Piston API's integration test.
 */
public final class PistonFixtures {

  private PistonFixtures() {
  }

  /**
   * @return the example body of {@code POST /api/v2/execute} in Piston's README (docs/api-v2.md has
   *   the same without the cpu times), with {@code version}
   */
  public static JsonObject documentedRequest(String version) {
    return new JsonObject("""
      {
          "language": "js",
          "version": "%s",
          "files": [
              {
                  "name": "my_cool_code.js",
                  "content": "console.log(process.argv)"
              }
          ],
          "stdin": "",
          "args": ["1", "2", "3"],
          "compile_timeout": 10000,
          "run_timeout": 3000,
          "compile_cpu_time": 10000,
          "run_cpu_time": 3000,
          "compile_memory_limit": -1,
          "run_memory_limit": -1
      }""".formatted(version));
  }
}
