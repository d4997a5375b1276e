package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.execgate.http.PistonFixtures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Piston-compatible API, driven with the request bodies of Piston's own documentation
 * (engineer-man/piston: readme.md and docs/api-v2.md), on the real engine and the offline images.
 */
class PistonApiIT extends GatewayITBase {

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @AfterAll
  void theResponsesWereCheckedAgainstOpenApi() {
    assertThat(openApi.checked()).contains("pistonRuntimes 200", "pistonExecute 200", "pistonExecute 400",
      "pistonExecute 415");
  }

  @BeforeAll
  void requireRuntimeImages() {
    DockerSupport.requireImages(DefaultRuntimes.PYTHON_IMAGE, DefaultRuntimes.NODE_IMAGE,
      DefaultRuntimes.MULTI_LANGUAGE_IMAGE);
  }

  private JsonObject runtimeFor(String alias) {
    HttpResponse<Buffer> response = get("/api/v2/runtimes");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonArray().stream().map(JsonObject.class::cast)
      .filter(rt -> rt.getString("language").equals(alias) || rt.getJsonArray("aliases").contains(alias))
      .findFirst().orElseThrow();
  }

  private JsonObject execute(JsonObject body) {
    HttpResponse<Buffer> response = post("/api/v2/execute", body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  @Test
  void runtimesHavePistonsShape() {
    JsonArray runtimes = get("/api/v2/runtimes").bodyAsJsonArray();
    assertThat(runtimes).hasSize(6);
    JsonObject js = runtimeFor("js");
    assertThat(js).isEqualTo(new JsonObject().put("language", "javascript").put("version", "18.20.4")
      .put("aliases", new JsonArray().add("js").add("node").add("nodejs").add("node-js").add("node-javascript")));
    assertThat(runtimeFor("py").getString("version")).isEqualTo("3.11.2");
    assertThat(runtimeFor("gcc").getString("language")).isEqualTo("c");
  }

  @Test
  void theDocumentedRequestRunsWithTheVersionTheRuntimesReport() {
    // a client asks for a version this server has, as Piston's clients do after GET /api/v2/runtimes
    JsonObject request = PistonFixtures.documentedRequest(runtimeFor("js").getString("version"));
    JsonObject response = execute(request);
    assertThat(response.fieldNames()).containsExactlyInAnyOrder("language", "version", "run");
    assertThat(response.getString("language")).isEqualTo("javascript");
    assertThat(response.getString("version")).isEqualTo("18.20.4");
    JsonObject run = response.getJsonObject("run");
    assertThat(run.fieldNames()).containsExactlyInAnyOrder("stdout", "stderr", "output", "code", "signal", "message",
      "status", "memory", "cpu_time", "wall_time");
    assertThat(run.getString("stdout"))
      .matches("\\[\\s*'/usr/bin/node(js)?',\\s*'/tmp/work/my_cool_code\\.js',\\s*'1',\\s*'2',\\s*'3'\\s*]\n");
    assertThat(run.getString("output")).isEqualTo(run.getString("stdout"));
    assertThat(run.getString("stderr")).isEmpty();
    assertThat(run.getInteger("code")).isZero();
    assertThat(run.getValue("signal")).isNull();
    assertThat(run.getValue("status")).isNull();
    assertThat(run.getValue("message")).isNull();
    assertThat(run.getLong("wall_time")).isNotNull().isNotNegative();
    assertThat(run.getLong("memory")).isPositive();
  }

  @Test
  void theDocumentedRequestVerbatimGetsPistonsErrorForAnUnknownVersion() {
    HttpResponse<Buffer> response = post("/api/v2/execute", PistonFixtures.documentedRequest("15.10.0"));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactly("message");
    assertThat(body.getString("message")).startsWith("js-15.10.0 runtime is unknown; available: ")
      .contains("javascript 18.20.4");
  }

  @Test
  void requestErrorsHavePistonsShape() {
    HttpResponse<Buffer> noFiles = post("/api/v2/execute", new JsonObject().put("language", "python").put("version", "*"));
    assertThat(noFiles.statusCode()).isEqualTo(400);
    assertThat(noFiles.bodyAsJsonObject()).isEqualTo(new JsonObject().put("message", "files is required as an array"));
    HttpResponse<Buffer> tooLong = post("/api/v2/execute", PistonFixtures.documentedRequest("15.10.0").put("version", "*")
      .put("run_timeout", 999_999));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.bodyAsJsonObject().getString("message"))
      .isEqualTo("run_timeout cannot exceed the configured limit of 60000");
    // without Origin (not a browser) the body is read as JSON whatever its type; a browser must say JSON
    HttpResponse<Buffer> notJson = await(client.post("/api/v2/execute").putHeader("content-type", "text/plain")
      .sendBuffer(Buffer.buffer("print(1)")));
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.bodyAsJsonObject().getString("message")).startsWith("the request body is not valid JSON");
    notJson = await(client.post("/api/v2/execute").putHeader("content-type", "text/plain")
      .putHeader("origin", "https://elsewhere.example").sendBuffer(Buffer.buffer("print(1)")));
    assertThat(notJson.statusCode()).isEqualTo(415);
    assertThat(notJson.bodyAsJsonObject()).isEqualTo(new JsonObject()
      .put("message", "requests must be of type application/json"));
    HttpResponse<Buffer> broken = await(client.post("/api/v2/execute").putHeader("content-type", "application/json")
      .sendBuffer(Buffer.buffer("{\"language\":")));
    assertThat(broken.statusCode()).isEqualTo(400);
    assertThat(broken.bodyAsJsonObject().getString("message")).startsWith("the request body is not valid JSON");
  }

  @Test
  void stdinAndArgsReachAPythonProgram() {
    JsonObject response = execute(new JsonObject()
      .put("language", "python3").put("version", "3.x")
      .put("files", new JsonArray().add(new JsonObject()
        .put("content", "import sys\nname = input()\nprint('hello', name, sys.argv[1:])\nprint('oops', file=sys.stderr)")))
      .put("stdin", "piston")
      .put("args", new JsonArray().add("a b").add("c")));
    assertThat(response.getString("language")).isEqualTo("python");
    JsonObject run = response.getJsonObject("run");
    assertThat(run.getString("stdout")).isEqualTo("hello piston ['a b', 'c']\n");
    assertThat(run.getString("stderr")).isEqualTo("oops\n");
    // both streams, each in its own order; how they interleave depends on when the engine read each pipe
    assertThat(isInterleaving(run.getString("output"), run.getString("stdout"), run.getString("stderr")))
      .as(run.getString("output")).isTrue();
  }

  /**
   * @return whether {@code merged} consists of {@code a} and {@code b}, each in its own order
   */
  static boolean isInterleaving(String merged, String a, String b) {
    if (merged.length() != a.length() + b.length()) {
      return false;
    }
    boolean[] row = new boolean[b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 && j == 0) {
          row[j] = true;
        } else {
          boolean fromA = i > 0 && row[j] && a.charAt(i - 1) == merged.charAt(i + j - 1);
          boolean fromB = j > 0 && row[j - 1] && b.charAt(j - 1) == merged.charAt(i + j - 1);
          row[j] = fromA || fromB;
        }
      }
    }
    return row[b.length()];
  }

  @Test
  void aCompiledLanguageHasBothStagesAndAFailedCompileIsTheRunStageToo() {
    JsonObject ok = execute(new JsonObject().put("language", "c").put("version", "*")
      .put("files", new JsonArray().add(new JsonObject().put("name", "prog.c")
        .put("content", "#include <stdio.h>\nint main(void) { puts(\"compiled\"); return 3; }"))));
    assertThat(ok.getJsonObject("compile").getInteger("code")).isZero();
    assertThat(ok.getJsonObject("compile").getValue("status")).isNull();
    JsonObject run = ok.getJsonObject("run");
    assertThat(run.getString("stdout")).isEqualTo("compiled\n");
    assertThat(run.getInteger("code")).isEqualTo(3);
    assertThat(run.getString("status")).isEqualTo("RE");

    JsonObject broken = execute(new JsonObject().put("language", "c").put("version", "12.2.0")
      .put("files", new JsonArray().add(new JsonObject().put("content", "int main(void) { return undefined; }"))));
    JsonObject compile = broken.getJsonObject("compile");
    assertThat(compile.getInteger("code")).isEqualTo(1);
    assertThat(compile.getString("status")).isEqualTo("RE");
    assertThat(compile.getString("stderr")).contains("main.c:1:").containsPattern("[‘']undefined[’'] undeclared");
    assertThat(compile.getString("output")).isEqualTo(compile.getString("stderr"));
    assertThat(broken.getJsonObject("run")).isEqualTo(compile);
  }

  @Test
  void aMultiFileProgramCompilesEverySourceFileOfItsLanguage() {
    // as Piston's gcc package does (gcc *.c, g++ *.cpp), every source file is compiled; the entry is
    // the first file, headers are there to be included
    JsonObject c = execute(new JsonObject().put("language", "c").put("version", "*")
      .put("files", new JsonArray()
        .add(new JsonObject().put("name", "main.c").put("content",
          "#include <stdio.h>\n#include \"util.h\"\nint main(void) { printf(\"%d\\n\", twice(21)); return 4; }\n"))
        .add(new JsonObject().put("name", "util.h").put("content", "int twice(int x);\n"))
        .add(new JsonObject().put("name", "util.c").put("content",
          "#include \"util.h\"\nint twice(int x) { return 2 * x; }\n"))));
    assertThat(c.getJsonObject("compile").getInteger("code")).as(c.encode()).isZero();
    assertThat(c.getJsonObject("run").getString("stdout")).isEqualTo("42\n");
    assertThat(c.getJsonObject("run").getInteger("code")).isEqualTo(4);

    JsonObject cpp = execute(new JsonObject().put("language", "c++").put("version", "*")
      .put("files", new JsonArray()
        .add(new JsonObject().put("name", "main.cpp").put("content",
          "#include <iostream>\n#include \"greet.hpp\"\nint main() { std::cout << greet(\"piston\") << std::endl; }\n"))
        .add(new JsonObject().put("name", "greet.hpp").put("content",
          "#include <string>\nstd::string greet(const std::string &who);\n"))
        .add(new JsonObject().put("name", "greet.cpp").put("content",
          "#include \"greet.hpp\"\nstd::string greet(const std::string &who) { return \"hello \" + who; }\n"))));
    assertThat(cpp.getJsonObject("compile").getInteger("code")).as(cpp.encode()).isZero();
    assertThat(cpp.getJsonObject("run").getString("stdout")).isEqualTo("hello piston\n");
    assertThat(cpp.getJsonObject("run").getInteger("code")).isZero();
  }

  @Test
  void aRunPastItsTimeoutIsPistonsTO() {
    JsonObject response = execute(new JsonObject().put("language", "bash").put("version", "5.x")
      .put("files", new JsonArray().add(new JsonObject().put("content", "echo started; sleep 30")))
      .put("run_timeout", 1500));
    JsonObject run = response.getJsonObject("run");
    assertThat(run.getString("status")).isEqualTo("TO");
    assertThat(run.getString("signal")).isEqualTo("SIGKILL");
    assertThat(run.getValue("code")).isNull();
    assertThat(run.getString("stdout")).isEqualTo("started\n");
    assertThat(run.getLong("wall_time")).isBetween(1500L, 3000L);
  }
}
