package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test cases on {@code POST /v1/executions}, on the real engine: a C program compiled once and run
 * against many tests in one container, every verdict, {@code stopOnFailure}, a compile error, the
 * streamed frames, and the attacker's requests.
 */
class JudgeIT extends GatewayITBase {

  /** One program; argv[1] picks what a test does. */
  private static final String PROGRAM = """
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/stat.h>
    #include <unistd.h>
    int main(int argc, char **argv) {
      const char *what = argc > 1 ? argv[1] : "sum";
      if (!strcmp(what, "sum")) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 9; printf("%ld\\n", a + b); return 0; }
      if (!strcmp(what, "trail")) { printf("x  \\ny\\t\\n\\n\\n"); return 0; }
      if (!strcmp(what, "spin")) { for (volatile unsigned long i = 0;; i++) { } }
      if (!strcmp(what, "mem")) { for (int i = 0; i < 64; i++) { char *p = malloc(16 << 20); if (!p) return 8; memset(p, 1, 16 << 20); } return 0; }
      if (!strcmp(what, "exit3")) { fprintf(stderr, "bad input\\n"); return 3; }
      if (!strcmp(what, "segv")) { raise(SIGSEGV); return 0; }
      if (!strcmp(what, "flood")) { static char buf[8192]; memset(buf, 'z', sizeof buf); for (;;) fwrite(buf, 1, sizeof buf, stdout); }
      if (!strcmp(what, "fork")) {
        if (fork() == 0) { setsid(); sleep(2); printf("leak\\n"); fflush(stdout); sleep(30); return 0; }
        sleep(30); return 0;
      }
      if (!strcmp(what, "args")) { printf("%s|%s\\n", argv[2], argv[3]); return 0; }
      if (!strcmp(what, "stamp")) { struct stat st; stat("/tmp/main", &st); printf("%ld.%09ld\\n", (long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec); return 0; }
      if (!strcmp(what, "err")) { fprintf(stderr, "to stderr\\n"); printf("ok\\n"); return 0; }
      return 7;
    }
    """;

  @BeforeAll
  void requireImage() {
    DockerSupport.requireImages(DefaultRuntimes.MULTI_LANGUAGE_IMAGE);
  }

  private static JsonObject test(String stdin, String expected, Long timeoutMs, String... args) {
    JsonObject t = new JsonObject().put("args", new JsonArray(List.of((Object[]) args)));
    if (stdin != null) {
      t.put("stdin", stdin);
    }
    if (expected != null) {
      t.put("expectedStdout", expected);
    }
    if (timeoutMs != null) {
      t.put("timeoutMs", timeoutMs);
    }
    return t.put("name", args.length > 0 ? args[0] : "sum");
  }

  private static JsonObject body(JsonArray tests) {
    return new JsonObject().put("language", "c").put("script", PROGRAM).put("tests", tests)
      .put("limits", new JsonObject().put("memoryMb", 64).put("outputBytes", 65536).put("timeoutMs", 5000));
  }

  @Test
  void oneCompileTwentyTestsEveryVerdictInOneContainer() {
    JsonArray tests = new JsonArray()
      .add(test("1 2\n", "3", null, "sum"))                 // 0 accepted
      .add(test("5 5\n", "11", null, "sum"))                // 1 wrong_answer
      .add(test(null, "x\ny", null, "trail"))               // 2 accepted (trim)
      .add(test(null, null, 500L, "spin"))                  // 3 time_limit
      .add(test(null, null, null, "mem"))                   // 4 memory_limit
      .add(test(null, null, null, "exit3"))                 // 5 runtime_error
      .add(test(null, null, null, "segv"))                  // 6 runtime_error (SIGSEGV)
      .add(test(null, null, null, "flood"))                 // 7 output_limit
      .add(test(null, null, 400L, "fork"))                  // 8 time_limit, its fork killed with it
      .add(test("2 2\n", "4", null, "sum"))                 // 9 accepted, no leak from 8
      .add(test(null, "a b|c", null, "args", "a b", "c"))   // 10 accepted
      .add(test(null, null, null, "stamp"))                 // 11 accepted
      .add(test(null, "ok", null, "err"));                  // 12 accepted, with stderr
    for (int i = 13; i < 19; i++) {
      tests.add(test(i + " " + i + "\n", String.valueOf(2 * i), null, "sum"));
    }
    tests.add(test(null, null, null, "stamp"));             // 19 accepted
    long start = System.nanoTime();
    JsonObject r = run(body(tests));
    long ms = (System.nanoTime() - start) / 1_000_000;
    JsonArray results = r.getJsonArray("tests");
    List<String> verdicts = results.stream().map(t -> ((JsonObject) t).getString("verdict")).collect(Collectors.toList());
    assertThat(verdicts).as(r.encodePrettily()).containsExactly("accepted", "wrong_answer", "accepted", "time_limit",
      "memory_limit", "runtime_error", "runtime_error", "output_limit", "time_limit", "accepted", "accepted",
      "accepted", "accepted", "accepted", "accepted", "accepted", "accepted", "accepted", "accepted", "accepted");
    assertThat(r.getString("verdict")).isEqualTo("wrong_answer");
    assertThat(r.getInteger("passed")).isEqualTo(13);
    assertThat(r.getInteger("total")).isEqualTo(20);
    assertThat(r.getString("status")).isEqualTo("failed");
    assertThat(r.getString("message")).startsWith("test 1 (sum): wrong_answer; 13 of 20 tests passed");
    JsonObject wrong = results.getJsonObject(1);
    assertThat(wrong.getString("stdout")).isEqualTo("10\n");
    assertThat(wrong.getInteger("exitCode")).isZero();
    assertThat(results.getJsonObject(3).getLong("durationMs")).isBetween(450L, 2500L);
    assertThat(results.getJsonObject(5).getInteger("exitCode")).isEqualTo(3);
    assertThat(results.getJsonObject(5).getString("stderr")).isEqualTo("bad input\n");
    assertThat(results.getJsonObject(6).getString("signal")).isEqualTo("SIGSEGV");
    assertThat(results.getJsonObject(7).getBoolean("stdoutTruncated")).isTrue();
    assertThat(results.getJsonObject(7).getString("stdout")).hasSize(65536);
    // the test after the fork: its own stdout only, and it did not wait for the fork's 30 s
    JsonObject afterFork = results.getJsonObject(9);
    assertThat(afterFork.getString("stdout")).isEqualTo("4\n");
    assertThat(afterFork.getLong("durationMs")).isLessThan(1500L);
    assertThat(results.getJsonObject(8).getLong("durationMs")).isLessThan(2500L);
    assertThat(results.getJsonObject(12).getString("stderr")).isEqualTo("to stderr\n");
    // compiled once: one compile step, and the first and last tests ran the same binary (same mtime to the ns)
    assertThat(r.getJsonObject("compile").getInteger("exitCode")).isZero();
    assertThat(results.getJsonObject(11).getString("stdout")).matches("[0-9]+\\.[0-9]{9}\n")
      .isEqualTo(results.getJsonObject(19).getString("stdout"));
    assertThat(results.getJsonObject(0).getJsonObject("usage").getLong("cpuMs")).isNotNull();
    // one container for all, each bounded by its own deadline: far below the sum of the 5 s default deadlines
    assertThat(ms).isLessThan(20_000L);

    // GET carries the same tests
    JsonObject got = get("/v1/executions/" + r.getString("id")).bodyAsJsonObject();
    assertThat(got.getJsonArray("tests")).isEqualTo(results);
    assertThat(got.getString("verdict")).isEqualTo("wrong_answer");
  }

  @Test
  void stopOnFailureSkipsTheRestAndACompileErrorRunsNoTest() {
    JsonArray tests = new JsonArray().add(test("1 1\n", "2", null, "sum")).add(test("1 1\n", "3", null, "sum"))
      .add(test("1 1\n", "2", null, "sum")).add(test("1 1\n", "2", null, "sum"));
    JsonObject r = run(body(tests).put("stopOnFailure", true));
    assertThat(r.getJsonArray("tests").stream().map(t -> ((JsonObject) t).getString("verdict")).toList())
      .as(r.encodePrettily()).containsExactly("accepted", "wrong_answer", "skipped", "skipped");
    assertThat(r.getString("verdict")).isEqualTo("wrong_answer");
    assertThat(r.getInteger("passed")).isEqualTo(1);
    assertThat(r.getString("message")).contains("stopOnFailure");

    JsonObject broken = run(body(tests).put("script", "int main(void) { return x; }\n"));
    assertThat(broken.getString("verdict")).as(broken.encodePrettily()).isEqualTo("compile_error");
    assertThat(broken.getInteger("passed")).isZero();
    assertThat(broken.getInteger("total")).isEqualTo(4);
    assertThat(broken.getJsonArray("tests").stream().map(t -> ((JsonObject) t).getString("verdict")).distinct()
      .toList()).containsExactly("skipped");
    assertThat(broken.getJsonObject("compile").getString("stderr")).contains("error");
  }

  @Test
  void streamedFramesCarryTheTestIndexAndAVerdictPerTest() {
    JsonArray tests = new JsonArray().add(test("1 2\n", "3", null, "sum")).add(test(null, "ok", null, "err"))
      .add(test("3 4\n", "8", null, "sum"));
    HttpResponse<Buffer> response = await(client.post("/v1/executions").putHeader("content-type", "application/json")
      .putHeader("accept", "application/x-ndjson").sendBuffer(body(tests).toBuffer()));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    List<JsonObject> frames = new ArrayList<>();
    for (String line : response.bodyAsString().split("\n")) {
      if (!line.isBlank()) {
        frames.add(new JsonObject(line));
      }
    }
    List<String> outputs = frames.stream().filter(f -> f.getString("type").equals("stdout")
      || f.getString("type").equals("stderr")).filter(f -> f.getValue("stage") == null)
      .map(f -> f.getInteger("test") + ":" + f.getString("type") + ":" + f.getString("data")).toList();
    assertThat(String.join("", outputs)).as(frames.toString()).contains("0:stdout:3\n", "1:stdout:ok\n",
      "1:stderr:to stderr\n", "2:stdout:7\n");
    List<String> verdicts = frames.stream().filter(f -> f.getString("type").equals("test"))
      .map(f -> f.getInteger("test") + "=" + f.getString("verdict")).toList();
    assertThat(verdicts).containsExactly("0=accepted", "1=accepted", "2=wrong_answer");
    JsonObject exit = frames.get(frames.size() - 1);
    assertThat(exit.getString("type")).isEqualTo("exit");
    assertThat(exit.getString("verdict")).isEqualTo("wrong_answer");
    assertThat(exit.getJsonArray("tests")).hasSize(3);
    // each test's verdict frame comes after its output and before the next test's
    int firstVerdict = indexOf(frames, "test", 0);
    int secondOutput = indexOfOutput(frames, 1);
    assertThat(firstVerdict).isPositive().isLessThan(secondOutput);
  }

  private static int indexOf(List<JsonObject> frames, String type, int test) {
    for (int i = 0; i < frames.size(); i++) {
      if (frames.get(i).getString("type").equals(type) && Integer.valueOf(test).equals(frames.get(i).getInteger("test"))) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfOutput(List<JsonObject> frames, int test) {
    for (int i = 0; i < frames.size(); i++) {
      String type = frames.get(i).getString("type");
      if ((type.equals("stdout") || type.equals("stderr")) && Integer.valueOf(test).equals(frames.get(i).getInteger("test"))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void attackersRequestsAreRefusedNamingTheField() {
    JsonArray many = new JsonArray();
    for (int i = 0; i < 101; i++) {
      many.add(test("1 1\n", "2", null, "sum"));
    }
    assertError(post("/v1/executions", body(many)), 400, "tests");

    JsonArray huge = new JsonArray().add(test("1 1\n", "2", null, "sum"))
      .add(new JsonObject().put("expectedStdout", "y".repeat(5 << 20)));
    assertError(post("/v1/executions", body(huge)), 413, "tests[1].expectedStdout");

    JsonArray slow = new JsonArray().add(test(null, null, 600_000L, "spin"));
    assertError(post("/v1/executions", body(slow)), 422, "tests[0].timeoutMs");

    JsonArray bad = new JsonArray().add(new JsonObject().put("stdin", 5));
    assertError(post("/v1/executions", body(bad)), 400, "tests[0].stdin");
    JsonArray unknown = new JsonArray().add(new JsonObject().put("expected", "x"));
    assertError(post("/v1/executions", body(unknown)), 400, "tests[0].expected");
    assertError(post("/v1/executions", body(new JsonArray())), 400, "tests");
    assertError(post("/v1/executions", body(new JsonArray().add(test(null, null, null)))
      .put("compare", "fuzzy")), 400, "compare");
    assertError(post("/v1/executions", body(new JsonArray().add(test(null, null, null))).put("stdin", "x")), 400,
      "stdin");
    assertError(post("/v1/executions", new JsonObject().put("language", "c").put("script", PROGRAM)
      .put("stopOnFailure", true)), 400, "stopOnFailure");
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String field) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(field);
  }
}
