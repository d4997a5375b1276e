package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The verdicts of a judged execution (one with {@code tests}): written at the top level of its
 * result as {@code verdict}, {@code passed}, {@code total} and {@code tests}.
 *
 * @param verdict the first test's verdict that is not {@code accepted}, else {@code accepted};
 *                {@code compile_error} when the compile step failed and no test ran
 * @param passed  tests {@code accepted}
 * @param total   tests asked for
 * @param tests   one result per test, in order
 */
public record JudgeReport(Verdict verdict, int passed, int total, List<TestResult> tests) {

  public JudgeReport {
    tests = List.copyOf(tests);
  }

  /**
   * @return the same report without the tests' output
   */
  public JudgeReport withoutOutput() {
    return new JudgeReport(verdict, passed, total, tests.stream().map(TestResult::withoutOutput).toList());
  }

  /**
   * Writes the report's fields into a result's JSON.
   */
  void writeTo(JsonObject json) {
    JsonArray array = new JsonArray();
    tests.forEach(t -> array.add(t.toJson()));
    json.put("verdict", verdict.id()).put("passed", passed).put("total", total).put("tests", array);
  }

  /**
   * @return the report of a result's JSON, or {@code null} when it has none
   */
  static JudgeReport readFrom(JsonObject json) {
    if (json.getValue("verdict") == null || !(json.getValue("tests") instanceof JsonArray array)) {
      return null;
    }
    List<TestResult> tests = new ArrayList<>();
    array.forEach(t -> tests.add(TestResult.fromJson((JsonObject) t)));
    return new JudgeReport(Verdict.of(json.getString("verdict")), json.getInteger("passed", 0),
      json.getInteger("total", tests.size()), tests);
  }
}
