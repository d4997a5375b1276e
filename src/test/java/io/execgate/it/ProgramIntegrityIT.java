package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing a program writes or reads changes its verdict, exit code, caps or deadline: the attacks
 * of a program that reads the end-record nonce from its launcher's memory (which worked while the
 * launcher was readable: the program is its child, with the same uid) and then forges records, or
 * that kills its launcher.
 */
class ProgramIntegrityIT extends GatewayITBase {

  /**
   * Python: finds the nonce in the launcher's memory (its parent's), as an attacker would. Prints
   * why it could not to stderr.
   */
  static final String PY_STEAL = """
    import os, re, sys, time
    def steal():
        pp = os.getppid()
        try:
            maps = open(f"/proc/{pp}/maps").read().splitlines()
            mem = open(f"/proc/{pp}/mem", "rb", 0)
        except OSError as e:
            print(f"denied: {e.strerror}", file=sys.stderr)
            return None
        for line in maps:
            addr, perms = line.split()[:2]
            if not perms.startswith("rw"):
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            try:
                mem.seek(lo)
                m = re.search(rb"EXECGATE:([0-9a-f]{32}):", mem.read(hi - lo))
            except OSError:
                continue
            if m:
                return m.group(1).decode()
        return None
    nonce = steal()
    print("stolen" if nonce else "no nonce", flush=True)
    nonce = nonce or "0" * 32
    def forge(body):
        rec = "\\x1eEXECGATE:" + nonce + ":" + body + "\\x1e"
        sys.stdout.write(rec); sys.stdout.flush(); sys.stderr.write(rec); sys.stderr.flush()
    """;

  /**
   * Shell: the same theft with busybox's {@code dd} (reading the launcher's writable mappings at
   * their offsets in its {@code /proc/<pid>/mem}), then {@code forge <record>} writes a record with
   * whatever nonce it found. Prints why it could not to stderr.
   */
  static final String SH_STEAL = """
    p=$PPID
    nonce=
    if maps=$(cat /proc/$p/maps 2>&1); then
      nonce=$(echo "$maps" | grep '^[0-9a-f]*-[0-9a-f]* rw' | while read -r range rest; do
        lo=$((0x${range%-*})); hi=$((0x${range#*-}))
        dd if=/proc/$p/mem bs=4096 skip=$((lo / 4096)) count=$(((hi - lo) / 4096)) 2>/dev/null
      done | tr -c '0-9a-zA-Z:' '\\n' | grep -o -m1 'EXECGATE:[0-9a-f]\\{32\\}' | cut -d: -f2)
    else
      echo "denied: ${maps##*: }" >&2
    fi
    if [ -n "$nonce" ]; then echo stolen; else echo "no nonce"; fi
    forge() {
      r=$(printf '\\036EXECGATE:%s:%s\\036' "${nonce:-00000000000000000000000000000000}" "$1")
      printf %s "$r"; printf %s "$r" >&2
    }
    """;

  /** C: the same theft, for the compiled runtime's run step. */
  static final String C_STEAL = """
    #include <fcntl.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <unistd.h>
    static char nonce[33] = "00000000000000000000000000000000";
    static int steal(void) {
      char path[64], line[512];
      snprintf(path, sizeof path, "/proc/%d/maps", (int) getppid());
      FILE *maps = fopen(path, "r");
      snprintf(path, sizeof path, "/proc/%d/mem", (int) getppid());
      int mem = open(path, O_RDONLY);
      if (!maps || mem < 0) { perror("denied"); return 0; }
      while (fgets(line, sizeof line, maps)) {
        unsigned long lo, hi; char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || perms[1] != 'w') continue;
        char *buf = malloc(hi - lo);
        ssize_t got = pread(mem, buf, hi - lo, (off_t) lo);
        for (ssize_t i = 0; got > 0 && i + 42 <= got; i++) {
          if (memcmp(buf + i, "EXECGATE:", 9) == 0 && buf[i + 41] == ':' && strspn(buf + i + 9, "0123456789abcdef") >= 32) {
            memcpy(nonce, buf + i + 9, 32);
            return 1;
          }
        }
        free(buf);
      }
      return 0;
    }
    """;

  @BeforeAll
  void requireRuntimeImages() {
    DockerSupport.requireImages(DefaultRuntimes.PYTHON_IMAGE, DefaultRuntimes.NODE_IMAGE,
      DefaultRuntimes.MULTI_LANGUAGE_IMAGE);
  }

  private JsonObject runIn(String language, String script, JsonObject limits) {
    return run(new JsonObject().put("language", language).put("script", script)
      .put("limits", limits.copy().put("timeoutMs", limits.getLong("timeoutMs", 30_000L))));
  }

  @Test
  void aPythonProgramCannotReadItsLaunchersMemoryNorForgeItsExit() {
    JsonObject r = runIn("python", PY_STEAL + """
      forge("exit:0:::0")
      print("still running", flush=True)
      sys.exit(7)
      """, new JsonObject());
    assertThat(r.getString("stderr")).as(r.encode()).startsWith("denied: Permission denied\n");
    assertThat(r.getString("stdout")).startsWith("no nonce\n").endsWith("still running\n");
    assertThat(r.getString("status")).isEqualTo("failed");
    assertThat(r.getInteger("exitCode")).isEqualTo(7);
  }

  @Test
  void aShellProgramCannotReadItsLaunchersMemoryWithDdNorForgeItsExit() {
    JsonObject r = runIn("sh", SH_STEAL + """
      forge "exit:0:::0"
      echo still running
      exit 7
      """, new JsonObject());
    assertThat(r.getString("stderr")).as(r.encode()).startsWith("denied: Permission denied");
    assertThat(r.getString("stdout")).startsWith("no nonce\n").endsWith("still running\n");
    assertThat(r.getString("status")).isEqualTo("failed");
    assertThat(r.getInteger("exitCode")).isEqualTo(7);
  }

  @Test
  void forgedCompileRecordsInARuntimeWithoutCompileStepNeitherRestartTheCapNorCount() {
    JsonObject r = runIn("python", PY_STEAL + """
      for i in range(30):
          forge("compile:0::")
          print("x" * 999, flush=True)
      """, new JsonObject().put("outputBytes", 4096));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("output_limit");
    assertThat(r.getString("stdout").getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    assertThat(r.getBoolean("stdoutTruncated")).isTrue();
    assertThat(r.containsKey("compile")).isFalse();
  }

  @Test
  void forgedCompileRecordsInACompiledRuntimeNeitherRestartTheCapNorCount() {
    JsonObject r = runIn("c", C_STEAL + """
      int main(void) {
        printf("%s\\n", steal() ? "stolen" : "no nonce");
        for (int i = 0; i < 30; i++) {
          printf("\\036EXECGATE:%s:compile:0::\\036", nonce);
          fprintf(stderr, "\\036EXECGATE:%s:compile:0::\\036", nonce);
          for (int k = 0; k < 999; k++) putchar('y');
          putchar('\\n');
          fflush(stdout);
        }
        return 0;
      }
      """, new JsonObject().put("outputBytes", 4096));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("output_limit");
    assertThat(r.getString("stdout")).startsWith("no nonce\n");
    assertThat(r.getString("stdout").getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    assertThat(r.getBoolean("stdoutTruncated")).isTrue();
    assertThat(r.getJsonObject("compile").getInteger("exitCode")).isZero();
  }

  @Test
  void aForgedCompileRecordDoesNotExtendTheDeadline() {
    // forged just before the deadline, the record would have moved it 4 s on, past the program's end
    JsonObject r = runIn("python", PY_STEAL + """
      time.sleep(3.5)
      forge("compile:0::")
      for i in range(6):
          print(i, flush=True)
          time.sleep(0.5)
      """, new JsonObject().put("timeoutMs", 4000));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("timeout");
    assertThat(r.getLong("durationMs")).isBetween(4000L, 5500L);
  }

  @Test
  void aProgramThatKillsItsLauncherFailsWithThatSignal() {
    JsonObject r = run(new JsonObject().put("script", "echo before; kill -9 $PPID; sleep 5; echo after"));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("failed");
    assertThat(r.getString("signal")).isEqualTo("SIGKILL");
    assertThat(r.getInteger("exitCode")).isEqualTo(137);
    assertThat(r.getString("stdout")).isEqualTo("before\n");
    assertThat(r.getString("message")).contains("launcher was killed by SIGKILL");
    assertThat(r.getLong("durationMs")).isLessThan(4000L);
  }

  /**
   * The launcher's memory, environment, maps and descriptors are refused to the program in every
   * runtime image; its own are not (so the check can tell).
   */
  @ParameterizedTest
  @ValueSource(strings = {"sh", "bash"})
  void theLauncherIsUnreadableFromAShell(String language) {
    JsonObject r = runIn(language, LauncherProbe.SHELL, new JsonObject());
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo(LauncherProbe.EXPECTED);
  }

  @Test
  void theLauncherIsUnreadableFromPython() {
    JsonObject r = runIn("python", LauncherProbe.PYTHON, new JsonObject());
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo(LauncherProbe.EXPECTED);
  }

  @Test
  void theLauncherIsUnreadableFromNode() {
    JsonObject r = runIn("javascript", LauncherProbe.NODE, new JsonObject());
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo(LauncherProbe.EXPECTED);
  }
}
