package io.execgate.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpResponse;
import java.util.List;

/**
 * Scenario 7 of {@link Benchmark}: test cases per second for a compiled C program, judged with 100
 * tests in one container (one compile, one process per test) against the same 100 inputs as 100
 * one-shot executions (a compile and a container each), on the same gateway in the same run.
 */
final class JudgeBench {

  static final String PROGRAM = "#include <stdio.h>\nint main(void) { long a, b; if (scanf(\"%ld %ld\", &a, &b) != 2)"
    + " return 2; printf(\"%ld\\n\", a + b); return 0; }\n";
  static final int TESTS = 100;
  /** One-shot executions run at this concurrency (a compile each: bounded by the machine's cores). */
  static final int ONE_SHOT_CONCURRENCY = 4;

  private JudgeBench() {
  }

  static JsonObject run(GatewayProcess gw, boolean quick, List<String> table) throws Exception {
    JsonArray tests = new JsonArray();
    for (int i = 0; i < TESTS; i++) {
      tests.add(new JsonObject().put("stdin", i + " " + i + "\n").put("expectedStdout", String.valueOf(2L * i)));
    }
    String judged = new JsonObject().put("language", "c").put("script", PROGRAM).put("tests", tests).encode();
    // one untimed run: the image and its pool are ready, as for the one-shot runs after it
    judged(gw, judged);
    int rounds = quick ? 2 : 5;
    Stats judgedStats = new Stats();
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      judged(gw, judged);
      judgedStats.add((System.nanoTime() - t0) / 1e6);
    }
    int oneShots = quick ? 30 : TESTS;
    int[] next = {0};
    JsonObject oneShot = Benchmark.load(oneShots, ONE_SHOT_CONCURRENCY, () -> {
      int i;
      synchronized (next) {
        i = next[0]++ % TESTS;
      }
      oneShot(gw, i);
    });
    double judgedPerSecond = Stats.round(100 * TESTS / (judgedStats.percentile(50) / 1000)) / 100;
    double oneShotPerSecond = oneShot.getDouble("perSecond");
    JsonObject result = new JsonObject()
      .put("tests", TESTS)
      .put("judgedMs", judgedStats.toJson())
      .put("judgedTestsPerSecond", judgedPerSecond)
      .put("oneShot", oneShot.put("concurrency", ONE_SHOT_CONCURRENCY))
      .put("oneShotTestsPerSecond", oneShotPerSecond)
      .put("judgedOverOneShot", Stats.round(100 * judgedPerSecond / oneShotPerSecond) / 100);
    table.add("");
    table.add("7. judge: a C program against " + TESTS + " test cases (test cases/s)");
    table.add(String.format("   %-44s %8.1f/s  (p50 %.0f ms per %d tests, n=%d)", "one execution with tests (1 container)",
      judgedPerSecond, judgedStats.percentile(50), TESTS, judgedStats.count()));
    table.add(String.format("   %-44s %8.1f/s  (%d executions at concurrency %d, errors %d)",
      "one-shot executions (a compile + container each)", oneShotPerSecond, oneShots, ONE_SHOT_CONCURRENCY,
      oneShot.getInteger("errors")));
    table.add(String.format("   judged/one-shot = %.1f", result.getDouble("judgedOverOneShot")));
    return result;
  }

  private static void judged(GatewayProcess gw, String body) throws Exception {
    HttpResponse<String> r = gw.post("/v1/executions?wait=true", body);
    JsonObject json = new JsonObject(r.body());
    if (r.statusCode() != 200 || !"accepted".equals(json.getString("verdict")) || json.getInteger("passed") != TESTS) {
      throw new IllegalStateException("unexpected judged answer " + r.statusCode() + " " + r.body());
    }
  }

  private static void oneShot(GatewayProcess gw, int i) throws Exception {
    String body = new JsonObject().put("language", "c").put("script", PROGRAM).put("stdin", i + " " + i + "\n").encode();
    HttpResponse<String> r = gw.post("/v1/executions?wait=true", body);
    JsonObject json = new JsonObject(r.body());
    if (r.statusCode() != 200 || !(2L * i + "\n").equals(json.getString("stdout"))) {
      throw new IllegalStateException("unexpected answer " + r.statusCode() + " " + r.body());
    }
  }
}
