package io.execgate.it;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import io.execgate.DefaultRuntimes;
import io.execgate.docker.ContainerLabels;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The language runtimes in the offline-built images (custom-images/offline/build-debian.sh): real
 * programs with their libraries, the compile step, and the security profile seen from each
 * language.
 */
class RuntimesIT extends GatewayITBase {

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  @AfterAll
  void theResponsesWereCheckedAgainstOpenApi() {
    assertThat(openApi.checked()).contains("listRuntimes 200", "submitExecution 200", "submitExecution 400");
  }

  private static final JsonObject GENEROUS = new JsonObject().put("timeoutMs", 30_000);

  @BeforeAll
  void requireRuntimeImages() {
    DockerSupport.requireImages(DefaultRuntimes.PYTHON_IMAGE, DefaultRuntimes.NODE_IMAGE,
      DefaultRuntimes.MULTI_LANGUAGE_IMAGE);
  }

  private JsonObject run(String language, String script) {
    return run(new JsonObject().put("language", language).put("script", script).put("limits", GENEROUS));
  }

  @Test
  void numpyPandasAndScipyComputeTheRightNumbers() {
    JsonObject r = run("python", """
      import sys
      import numpy as np
      import pandas as pd
      import scipy
      from scipy import integrate, stats
      print(np.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0])))
      df = pd.DataFrame({"g": ["a", "b", "a", "b"], "v": [1, 2, 3, 4]})
      print(df.groupby("g")["v"].sum().to_dict())
      print(round(integrate.quad(lambda x: x ** 2, 0, 3)[0], 9))
      print(round(stats.norm.cdf(1.96), 4))
      print(sys.version.split()[0], np.__version__, pd.__version__, scipy.__version__)
      """);
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("[2. 3.]\n{'a': 4, 'b': 6}\n9.0\n0.975\n3.11.2 1.24.2 1.5.3 1.10.1\n");
    assertThat(r.getString("stderr")).isEmpty();
    assertThat(r.getString("image")).isEqualTo(DefaultRuntimes.PYTHON_IMAGE);
    assertThat(r.getString("language")).isEqualTo("python");
    assertThat(r.containsKey("compile")).isFalse();
  }

  @Test
  void nodeProgramsRequireAndImportThePackagesOfPackageJson() {
    JsonObject r = run("node", """
      const _ = require('lodash');
      const dayjs = require('dayjs');
      const { validate } = require('uuid');
      const Decimal = require('decimal.js');
      console.log(JSON.stringify(_.chunk([1, 2, 3, 4, 5], 2)));
      console.log(dayjs('2024-02-28').add(1, 'day').format('YYYY-MM-DD'));
      console.log(validate('6ba7b810-9dad-11d1-80b4-00c04fd430c8'), new Decimal(0.1).plus(0.2).toString());
      console.log(process.version);
      """);
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("[[1,2],[3,4],[5]]\n2024-02-29\ntrue 0.3\nv18.20.4\n");
    assertThat(r.getString("language")).isEqualTo("javascript");
    // an ES module finds them too
    JsonObject esm = run(new JsonObject().put("language", "javascript").put("files", new JsonArray()
      .add(new JsonObject().put("name", "main.mjs").put("content", "import _ from 'lodash';\nconsole.log(_.sum([1, 2, 39]));"))));
    assertThat(esm.getString("stdout")).as(esm.encode()).isEqualTo("42\n");
  }

  @Test
  void aCProgramCompilesAndRunsFromAnExecutableButNosuidTmp() {
    JsonObject r = run(new JsonObject().put("language", "c").put("limits", GENEROUS)
      .put("args", new JsonArray().add("x y"))
      .put("stdin", "21\n")
      .put("script", """
        #include <math.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        int main(int argc, char **argv) {
          char line[64], dev[256], mnt[256], type[64], opts[1024];
          if (!fgets(line, sizeof line, stdin)) return 2;
          printf("%s|%d|%.3f\\n", argv[1], atoi(line) * 2, sqrt(2.0));
          FILE *m = fopen("/proc/mounts", "r");
          while (fscanf(m, "%255s %255s %63s %1023s %*d %*d", dev, mnt, type, opts) == 4) {
            if (strcmp(mnt, "/tmp") == 0) printf("%s %s\\n", strstr(opts, "nosuid") ? "nosuid" : "suid",
              strstr(opts, "noexec") ? "noexec" : "exec");
          }
          return 0;
        }
        """));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("x y|42|1.414\nnosuid exec\n");
    assertThat(r.getInteger("exitCode")).isZero();
    assertThat(r.getLong("durationMs")).isNotNull();
    JsonObject compile = r.getJsonObject("compile");
    assertThat(compile.getInteger("exitCode")).isZero();
    assertThat(compile.getString("stdout")).isEmpty();
    assertThat(compile.getString("stderr")).isEmpty();
    assertThat(compile.getLong("durationMs")).isPositive();
  }

  @Test
  void aCompileErrorReturnsTheCompilersMessageAndSkipsTheRun() {
    JsonObject r = run("c", "#include <stdio.h>\nint main(void) {\n  printf(\"never\\n\")\n  return 0;\n}\n");
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("failed");
    assertThat(r.getString("message")).isEqualTo("the compile step failed with exit code 1; the program was not run");
    assertThat(r.getValue("exitCode")).isNull();
    assertThat(r.getValue("durationMs")).isNull();
    assertThat(r.getString("stdout")).isEmpty();
    assertThat(r.getString("stderr")).isEmpty();
    JsonObject compile = r.getJsonObject("compile");
    assertThat(compile.getInteger("exitCode")).isEqualTo(1);
    // gcc quotes with ‘’ in a UTF-8 locale (the images set LANG=C.UTF-8)
    assertThat(compile.getString("stderr")).contains("main.c:3:").containsPattern("error: expected [‘'];[’']");
  }

  @Test
  void cppAndBashRun() {
    JsonObject cpp = run("cpp", """
      #include <iostream>
      #include <numeric>
      #include <vector>
      int main() {
        std::vector<int> v(10);
        std::iota(v.begin(), v.end(), 1);
        std::cout << std::accumulate(v.begin(), v.end(), 0) << " " << __cplusplus << std::endl;
      }
      """);
    assertThat(cpp.getString("status")).as(cpp.encode()).isEqualTo("succeeded");
    assertThat(cpp.getString("stdout")).isEqualTo("55 201703\n");
    assertThat(cpp.getString("language")).isEqualTo("c++");
    JsonObject bash = run("bash", "declare -A m=([a]=1); echo \"${BASH_VERSION%%(*} ${m[a]}\"");
    assertThat(bash.getString("stdout")).as(bash.encode()).isEqualTo("5.2.15 1\n");
  }

  private static JsonObject file(String name, String content) {
    return new JsonObject().put("name", name).put("content", content);
  }

  @Test
  void aMultiFileCProgramCompilesEveryCFileAndOnlyIncludesTheHeaders() {
    // lib/scale.h defines a variable: compiled on its own as well, it would be defined twice and the
    // link would fail; notes.txt is no C at all: only the .c files are compiled
    JsonObject r = run(new JsonObject().put("language", "c").put("limits", GENEROUS).put("files", new JsonArray()
      .add(file("main.c", "#include <stdio.h>\n#include \"util.h\"\nint scale(int x);\n"
        + "int main(void) { printf(\"%d %d\\n\", add(40, 2), scale(7)); return add(1, 2); }\n"))
      .add(file("util.h", "#pragma once\nint add(int a, int b);\n"))
      .add(file("util.c", "#include \"util.h\"\nint add(int a, int b) { return a + b; }\n"))
      .add(file("lib/scale.h", "int scale_factor = 5;\nint scale(int x);\n"))
      .add(file("lib/scale.c", "#include \"scale.h\"\n#include \"../util.h\"\n"
        + "int scale(int x) { return add(x, x * scale_factor); }\n"))
      .add(file("notes.txt", "not C at all {"))));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("failed");
    assertThat(r.getString("stdout")).isEqualTo("42 42\n");
    assertThat(r.getInteger("exitCode")).isEqualTo(3);
    assertThat(r.getJsonObject("compile").getInteger("exitCode")).isZero();
    assertThat(r.getJsonObject("compile").getString("stderr")).isEmpty();

    // a compile error in the second file names that file
    JsonObject broken = run(new JsonObject().put("language", "c").put("limits", GENEROUS).put("files", new JsonArray()
      .add(file("main.c", "int twice(int);\nint main(void) { return twice(2); }\n"))
      .add(file("my util.c", "int twice(int x) { return 2 * y; }\n"))));
    assertThat(broken.getString("status")).as(broken.encode()).isEqualTo("failed");
    assertThat(broken.getJsonObject("compile").getInteger("exitCode")).isEqualTo(1);
    assertThat(broken.getJsonObject("compile").getString("stderr")).contains("my util.c:1:");
  }

  @Test
  void aMultiFileCppProgramCompilesEachOfItsSourceExtensions() {
    JsonObject r = run(new JsonObject().put("language", "c++").put("limits", GENEROUS).put("files", new JsonArray()
      .add(file("main.cpp", "#include <iostream>\n#include \"shapes.hpp\"\n"
        + "int main() { Square s(3); std::cout << s.area() << ' ' << perimeter(s) << std::endl; return 5; }\n"))
      .add(file("shapes.hpp", "#pragma once\nstruct Square { int side; explicit Square(int s); int area() const; };\n"
        + "int perimeter(const Square &s);\n"))
      .add(file("square.cc", "#include \"shapes.hpp\"\nSquare::Square(int s) : side(s) {}\n"
        + "int Square::area() const { return side * side; }\n"))
      .add(file("perimeter.cxx", "#include \"shapes.hpp\"\nint perimeter(const Square &s) { return 4 * s.side; }\n"))));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("failed");
    assertThat(r.getString("stdout")).isEqualTo("9 12\n");
    assertThat(r.getInteger("exitCode")).isEqualTo(5);
    assertThat(r.getJsonObject("compile").getInteger("exitCode")).isZero();
  }

  @Test
  void aCompileStepPastItsOwnDeadlineIsKilledAndSaysSo() {
    // constant evaluation of 4e10 steps keeps g++ busy for minutes
    JsonObject r = run(new JsonObject().put("language", "c++")
      .put("limits", new JsonObject().put("compileTimeoutMs", 2000).put("timeoutMs", 20_000))
      .put("script", """
        constexpr long f() {
          long s = 0;
          for (long i = 0; i < 200000; i++) for (long j = 0; j < 200000; j++) s += i ^ j;
          return s;
        }
        static_assert(f() != 0);
        int main() {}
        """));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("timeout");
    assertThat(r.getString("message")).isEqualTo("the compile step passed its deadline of 2000 ms and was killed");
    assertThat(r.getValue("exitCode")).isNull();
    assertThat(r.getJsonObject("compile").getString("signal")).isEqualTo("SIGKILL");
    assertThat(r.getJsonObject("compile").getLong("durationMs")).isBetween(2000L, 4000L);
  }

  @Test
  void theRuntimesAreListedWithTheirVersions() {
    HttpResponse<Buffer> response = get("/v1/runtimes");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("default")).isEqualTo("sh");
    Map<String, JsonObject> byName = body.getJsonArray("runtimes").stream().map(JsonObject.class::cast)
      .collect(Collectors.toMap(o -> o.getString("name"), o -> o));
    assertThat(byName.keySet()).containsExactlyInAnyOrder("sh", "bash", "python", "javascript", "c", "c++");
    assertThat(byName.get("python").getString("version")).isEqualTo("3.11.2");
    assertThat(byName.get("python").getString("image")).isEqualTo(DefaultRuntimes.PYTHON_IMAGE);
    assertThat(byName.get("javascript").getJsonArray("aliases").getList()).contains("node", "js");
    assertThat(byName.get("c").getBoolean("compiled")).isTrue();
    assertThat(byName.get("python").getBoolean("compiled")).isFalse();
    assertThat(byName.get("c").getString("version")).isEqualTo("12.2.0");
    assertThat(byName.get("c").getString("compile")).isEqualTo("cc -std=gnu17 -O2 -o /tmp/main -x c {sources:.c} -lm");
    assertThat(byName.get("c").getString("run")).isEqualTo("/tmp/main");
    assertThat(byName.get("python").getValue("compile")).isNull();
  }

  @Test
  void aVersionSelectorPicksTheRuntimeAndAnUnknownOneNamesTheAvailable() {
    JsonObject r = run(new JsonObject().put("language", "python3").put("version", "3.x")
      .put("script", "print('ok')").put("limits", GENEROUS));
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo("ok\n");
    HttpResponse<Buffer> bad = post("/v1/executions?wait=true", new JsonObject().put("language", "python")
      .put("version", "2.7.x").put("script", "print 'old'"));
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonObject error = bad.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("unsupported_language");
    assertThat(error.getString("field")).isEqualTo("version");
    assertThat(error.getString("message")).startsWith("no version of language 'python' matches '2.7.x'; available: ")
      .contains("python 3.11.2", "javascript 18.20.4");
  }

  /**
   * Each prints: uid, gid, the root filesystem's first mount option, /tmp's suid and exec
   * options, the network interfaces, NoNewPrivs and the effective capabilities.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    python |nosuid,noexec
    javascript |nosuid,noexec
    c |nosuid,exec
    bash |nosuid,noexec
    """)
  void everyRuntimeRunsUnderTheFullProfile(String language, String tmp) {
    JsonObject r = run(language, PROFILE_PROBES.get(language));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("uid=1000 gid=1000 root=ro tmp=" + tmp
      + " net=lo nnp=1 cap=0000000000000000\n");
  }

  private static final Map<String, String> PROFILE_PROBES = Map.of(
    "python", """
      import os
      mounts = {m.split()[1]: m.split()[3].split(',') for m in open('/proc/mounts')}
      tmp = mounts['/tmp']
      st = dict(l.rstrip('\\n').split(':\\t', 1) for l in open('/proc/self/status') if ':\\t' in l)
      print(f"uid={os.getuid()} gid={os.getgid()} root={mounts['/'][0]}"
            f" tmp={'nosuid' if 'nosuid' in tmp else 'suid'},{'noexec' if 'noexec' in tmp else 'exec'}"
            f" net={','.join(sorted(os.listdir('/sys/class/net')))} nnp={st['NoNewPrivs']} cap={st['CapEff']}")
      """,
    "javascript", """
      const fs = require('fs');
      const mounts = Object.fromEntries(fs.readFileSync('/proc/mounts', 'utf8').trim().split('\\n')
        .map(l => l.split(' ')).map(m => [m[1], m[3].split(',')]));
      const tmp = mounts['/tmp'];
      const st = Object.fromEntries(fs.readFileSync('/proc/self/status', 'utf8').trim().split('\\n')
        .map(l => l.split(':\\t')));
      console.log(`uid=${process.getuid()} gid=${process.getgid()} root=${mounts['/'][0]}`
        + ` tmp=${tmp.includes('nosuid') ? 'nosuid' : 'suid'},${tmp.includes('noexec') ? 'noexec' : 'exec'}`
        + ` net=${fs.readdirSync('/sys/class/net').sort().join(',')} nnp=${st.NoNewPrivs} cap=${st.CapEff}`);
      """,
    "c", """
      #include <dirent.h>
      #include <stdio.h>
      #include <string.h>
      #include <unistd.h>
      int main(void) {
        char dev[256], mnt[256], type[64], opts[1024], root[8] = "?", tmp[32] = "?", line[256], net[256] = "";
        char nnp[32] = "?", cap[32] = "?";
        FILE *m = fopen("/proc/mounts", "r");
        while (fscanf(m, "%255s %255s %63s %1023s %*d %*d", dev, mnt, type, opts) == 4) {
          if (strcmp(mnt, "/") == 0) { strncpy(root, opts, 2); root[2] = 0; }
          if (strcmp(mnt, "/tmp") == 0) snprintf(tmp, sizeof tmp, "%s,%s",
            strstr(opts, "nosuid") ? "nosuid" : "suid", strstr(opts, "noexec") ? "noexec" : "exec");
        }
        DIR *d = opendir("/sys/class/net");
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
          if (e->d_name[0] != '.') { if (net[0]) strcat(net, ","); strcat(net, e->d_name); }
        }
        FILE *s = fopen("/proc/self/status", "r");
        while (fgets(line, sizeof line, s)) {
          sscanf(line, "NoNewPrivs:\\t%31s", nnp);
          sscanf(line, "CapEff:\\t%31s", cap);
        }
        printf("uid=%d gid=%d root=%s tmp=%s net=%s nnp=%s cap=%s\\n", getuid(), getgid(), root, tmp, net, nnp, cap);
        return 0;
      }
      """,
    "bash", """
      while read -r dev mnt type opts rest; do
        case $mnt in /) root=${opts%%,*} ;; /tmp) t=$opts ;; esac
      done < /proc/mounts
      case ,$t, in *,nosuid,*) tmp=nosuid ;; *) tmp=suid ;; esac
      case ,$t, in *,noexec,*) tmp=$tmp,noexec ;; *) tmp=$tmp,exec ;; esac
      while IFS=$'\\t' read -r k v; do
        case $k in NoNewPrivs:) nnp=$v ;; CapEff:) cap=$v ;; esac
      done < /proc/self/status
      net=$(ls /sys/class/net | paste -sd,)
      echo "uid=$(id -u) gid=$(id -g) root=$root tmp=$tmp net=$net nnp=$nnp cap=$cap"
      """);

  @Test
  void theImagesHaveAnExecutorUserAndAHealthCheckThatSandboxesSwitchOff() throws Exception {
    for (String image : List.of(DefaultRuntimes.PYTHON_IMAGE, DefaultRuntimes.NODE_IMAGE,
      DefaultRuntimes.MULTI_LANGUAGE_IMAGE)) {
      ContainerConfig config = docker.inspectImageCmd(image).exec().getConfig();
      assertThat(config.getUser()).as(image).isEqualTo("executor");
      assertThat(config.getHealthcheck().getTest()).as(image).isNotEmpty().doesNotContain("NONE");
    }
    JsonObject uid = run("python", "import pwd; print(pwd.getpwuid(1000).pw_name)");
    assertThat(uid.getString("stdout")).isEqualTo("executor\n");
    HttpResponse<Buffer> accepted = post("/v1/executions", new JsonObject().put("language", "python")
      .put("script", "import time; time.sleep(5)"));
    String id = accepted.bodyAsJsonObject().getString("id");
    awaitStatus(id, "running"::equals, 30_000);
    // cold containers are created as execgate-<id>, warm ones renamed so when taken
    long deadline = System.currentTimeMillis() + 10_000;
    while (!DockerSupport.executionContainerExists(docker, id) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    InspectContainerResponse container = docker.inspectContainerCmd("execgate-" + id).exec();
    assertThat(container.getConfig().getHealthcheck().getTest()).containsExactly("NONE");
    delete("/v1/executions/" + id);
    awaitStatus(id, GatewayITBase::isFinal, 30_000);
  }
}
