package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The test cases of a judged execution and how they are judged.
 *
 * @param tests         the test cases, in order (at least one)
 * @param compare       how stdout is compared with {@code expectedStdout}
 * @param stopOnFailure whether the first test that is not {@code accepted} ends the run (the rest are {@code skipped})
 */
public record TestSuite(List<TestCase> tests, CompareMode compare, boolean stopOnFailure) {

  public TestSuite {
    tests = List.copyOf(tests);
    compare = compare == null ? CompareMode.DEFAULT : compare;
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    tests.forEach(t -> array.add(t.toJson()));
    return new JsonObject().put("tests", array).put("compare", compare.id()).put("stopOnFailure", stopOnFailure);
  }

  /**
   * @return the suite, or {@code null} for a {@code null} object
   */
  public static TestSuite fromJson(JsonObject json) {
    if (json == null) {
      return null;
    }
    List<TestCase> tests = new ArrayList<>();
    json.getJsonArray("tests").forEach(t -> tests.add(TestCase.fromJson((JsonObject) t)));
    return new TestSuite(tests, CompareMode.of(json.getString("compare", CompareMode.DEFAULT.id())),
      json.getBoolean("stopOnFailure", false));
  }
}
