package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One test case of a judged execution: the compiled program runs once per test case, as a fresh
 * process in the same sandbox, with the test's input, arguments and deadline.
 *
 * @param name           a label for the client, or {@code null}
 * @param stdin          the process's whole standard input, or {@code null} for none
 * @param args           arguments appended to the run command (the request's {@code args} are not used)
 * @param expectedStdout what stdout must be (under the suite's comparison), or {@code null} for no comparison:
 *                       then exit 0 is {@code accepted} and anything else {@code runtime_error}
 * @param timeoutMs      this test's wall-clock deadline, or {@code null} for the execution's {@code limits.timeoutMs}
 */
public record TestCase(String name, String stdin, List<String> args, String expectedStdout, Long timeoutMs) {

  public TestCase {
    args = args == null ? List.of() : List.copyOf(args);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("stdin", stdin).put("args", new JsonArray(List.copyOf(args)))
      .put("expectedStdout", expectedStdout).put("timeoutMs", timeoutMs);
    json.fieldNames().removeIf(key -> json.getValue(key) == null);
    return json;
  }

  public static TestCase fromJson(JsonObject json) {
    JsonArray args = json.getJsonArray("args");
    return new TestCase(json.getString("name"), json.getString("stdin"),
      args == null ? List.of() : args.stream().map(String::valueOf).toList(), json.getString("expectedStdout"),
      json.getLong("timeoutMs"));
  }
}
