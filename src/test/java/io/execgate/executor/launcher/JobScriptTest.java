package io.execgate.executor.launcher;

import io.execgate.model.CompareMode;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.execgate.model.TestCase;
import io.execgate.model.TestSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the launcher protocol against the host's own {@code /bin/sh} (dash on Debian) and GNU
 * {@code dd}, with /tmp replaced by a temporary directory: the same protocol must work with
 * busybox (checked by the integration tests) and with Debian-based images.
 */
class JobScriptTest {

  @TempDir
  Path tmp;

  private static final RuntimeSpec SH = new RuntimeSpec("sh", List.of(), "1", "img", "main.sh", null,
    "sh {file}", 1000, false);

  @Test
  void quotesAnyStringAsOneShellWord() throws Exception {
    for (String s : List.of("plain", "it's", "a b", "$(id)", "`id`", "\"q\"", "new\nline", "'", "")) {
      String out = sh("printf '%s' " + JobScript.quote(s), new byte[0]);
      assertThat(out).isEqualTo(s);
    }
  }

  @Test
  void deliversFilesStdinArgsAndEnvThenTheEndRecord() throws Exception {
    byte[] big = new byte[200_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    ExecutionJob job = new ExecutionJob("id", 0, SH, "img", List.of(
      new SourceFile("main.sh", "cat; echo \"$1|$2|$FOO\"; wc -c < lib/big.txt; cat 'odd name'\n"
        .getBytes(StandardCharsets.UTF_8)),
      new SourceFile("lib/big.txt", big),
      new SourceFile("odd name", new byte[]{'x', 0, 'y'})),
      "in\n".getBytes(StandardCharsets.UTF_8), List.of("a b", "c'd"), Map.of("FOO", "$bar"),
      ResourceLimits.DEFAULTS, false);
    String out = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, "feed", tmp.toString()));
    assertThat(out).matches("(?s)in\na b\\|c'd\\|\\$bar\n200000\nx\0y\u001eEXECGATE:feed:exit:0:[0-9]*:[0-9]*:[0-9]*\u001e");
  }

  @Test
  void inlinedTextFilesKeepEveryByte() throws Exception {
    String tricky = "it's $HOME `id` \\n %s\n\u00e9\uD83D\uDE00\n\n\n";
    ExecutionJob job = new ExecutionJob("id", 0, SH, "img", List.of(
      new SourceFile("main.sh", "od -An -c t.txt | tr -s ' ' | tr -d '\\n'; echo; cat; echo\n"
        .getBytes(StandardCharsets.UTF_8)),
      new SourceFile("t.txt", tricky.getBytes(StandardCharsets.UTF_8))),
      "in\n\n".getBytes(StandardCharsets.UTF_8), List.of(), Map.of(), ResourceLimits.DEFAULTS, false);
    String script = JobScript.script(job, "ab", tmp.toString());
    assertThat(script).contains("printf '%s' ").doesNotContain("_r 't.txt'");
    String out = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, "ab", tmp.toString()));
    assertThat(java.nio.file.Files.readString(tmp.resolve("work/t.txt"))).isEqualTo(tricky);
    assertThat(out).contains("in\n\n\n");
  }

  @Test
  void readsExactlyTheFramedBytesAndLeavesTheRestForTheProgram() throws Exception {
    ExecutionJob job = new ExecutionJob("id", 0, SH, "img",
      List.of(new SourceFile("main.sh", "read -r line; echo \"got $line\"; exit 7\n".getBytes(StandardCharsets.UTF_8))),
      null, List.of(), Map.of(), ResourceLimits.DEFAULTS, true);
    byte[] payload = JobScript.payload(job, "0f", tmp.toString());
    byte[] withInput = new byte[payload.length + 6];
    System.arraycopy(payload, 0, withInput, 0, payload.length);
    System.arraycopy("hello\n".getBytes(StandardCharsets.US_ASCII), 0, withInput, payload.length, 6);
    String out = sh(JobScript.launcher(tmp.toString()), withInput);
    assertThat(out).matches("got hello\n\u001eEXECGATE:0f:exit:7:[0-9]*:[0-9]*:[0-9]*\u001e");
  }

  @Test
  void aFailedCompileStepSkipsTheRun() throws Exception {
    RuntimeSpec compiled = new RuntimeSpec("c", List.of(), "1", "img", "main.c", "echo compiling {file} >&2; exit 4",
      "echo ran", 1000, false);
    ExecutionJob job = new ExecutionJob("id", 0, compiled, "img",
      List.of(new SourceFile("main.c", new byte[0])), null, List.of(), Map.of(), ResourceLimits.DEFAULTS, false);
    String out = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, "aa", tmp.toString()));
    assertThat(out).matches("\u001eEXECGATE:aa:compile:4:[0-9]*:[0-9]*\u001e\u001eEXECGATE:aa:exit:4:[0-9]*:[0-9]*:[0-9]*\u001e");
  }

  @Test
  void testCasesRunOnceEachAfterOneCompileWithTheirStdinArgsAndDeadline() throws Exception {
    RuntimeSpec compiled = new RuntimeSpec("c", List.of(), "1", "img", "main.sh",
      "echo compiled >> count; cp {file} prog.sh", "sh prog.sh", 1000, false);
    byte[] big = "x".repeat(70_000).getBytes(StandardCharsets.UTF_8);
    TestSuite suite = new TestSuite(List.of(
      new TestCase("echo", "in 1\n", List.of("a b"), "in 1\na b", null),
      new TestCase(null, null, List.of("exit"), null, null),
      new TestCase("slow", null, List.of("sleep"), null, 300L),
      new TestCase("big", new String(big, StandardCharsets.UTF_8), List.of("wc"), null, null),
      new TestCase("count", null, List.of("count"), null, null)), CompareMode.TRIM, false);
    ExecutionJob job = new ExecutionJob("id", 0, compiled, "img", List.of(new SourceFile("main.sh", (
      "case $1 in exit) exit 3;; sleep) exec sleep 5;; wc) exec wc -c;; count) exec cat count;; esac; cat; echo \"$1\"\n")
      .getBytes(StandardCharsets.UTF_8))), null, List.of(), Map.of(), ResourceLimits.DEFAULTS, false, null, suite);
    long start = System.nanoTime();
    String out = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, "ab", tmp.toString()));
    long ms = (System.nanoTime() - start) / 1_000_000;
    String rec = "\u001eEXECGATE:ab:";
    assertThat(out).matches("(?s)" + rec + "compile:0:[0-9]*:[0-9]*\u001e"
      + "in 1\na b\n" + rec + "test:0:0:[0-9]*:[0-9]*:[0-9]*:\u001e"
      + rec + "test:1:3:[0-9]*:[0-9]*:[0-9]*:\u001e"
      + rec + "test:2:137:[0-9]*:[0-9]*:[0-9]*:1\u001e"
      + "70000\n" + rec + "test:3:0:[0-9]*:[0-9]*:[0-9]*:\u001e"
      + "compiled\n" + rec + "test:4:0:[0-9]*:[0-9]*:[0-9]*:\u001e"
      + rec + "exit:0:[0-9]*:[0-9]*:[0-9]*\u001e");
    // the sleeping test was stopped at its 300 ms deadline, not after its 5 s
    assertThat(ms).isLessThan(3000);
  }

  @Test
  void aStopLineOnStdinEndsOnlyTheTestItNames() throws Exception {
    TestSuite suite = new TestSuite(List.of(new TestCase(null, null, List.of(), null, 5000L),
      new TestCase(null, null, List.of(), null, 5000L)), CompareMode.TRIM, false);
    ExecutionJob job = new ExecutionJob("id", 0, SH, "img", List.of(new SourceFile("main.sh",
      "exec sleep 2\n".getBytes(StandardCharsets.UTF_8))), null, List.of(), Map.of(), ResourceLimits.DEFAULTS, false,
      null, suite);
    byte[] payload = JobScript.payload(job, "cd", tmp.toString());
    Process p = start(JobScript.launcher(tmp.toString()));
    long start = System.nanoTime();
    OutputStream in = p.getOutputStream();
    in.write(payload);
    in.flush();
    Thread.sleep(300);
    // a stale line for another test, then the line for test 0
    in.write("stop 1\nstop 0\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream is = p.getInputStream()) {
      byte[] buf = new byte[4096];
      int n;
      while (!out.toString(StandardCharsets.UTF_8).contains(":exit:") && (n = is.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
    }
    in.close();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long ms = (System.nanoTime() - start) / 1_000_000;
    String rec = "\u001eEXECGATE:cd:";
    assertThat(out.toString(StandardCharsets.UTF_8)).matches(rec + "test:0:137:[0-9]*:[0-9]*:[0-9]*:\u001e"
      + rec + "test:1:0:[0-9]*:[0-9]*:[0-9]*:\u001e" + rec + "exit:0:[0-9]*:[0-9]*:[0-9]*\u001e");
    // test 0 stopped at once, test 1 ran its 2 s
    assertThat(ms).isBetween(2000L, 4500L);
  }

  @Test
  void theKillBetweenTestsIsReadAsAProcessGroupNotAnOption() throws Exception {
    // the sandbox's command, with a pid that exists nowhere instead of -1 (which would kill this user's processes)
    Process p = new ProcessBuilder("/bin/sh", "-c", JobScript.KILL_ALL.replace(" -1 2>/dev/null", " -999999"))
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(out).containsIgnoringCase("no such process").doesNotContainIgnoringCase("option");
  }

  @Test
  void aSingleFileCompileCommandIsUnchanged() {
    List<SourceFile> one = List.of(new SourceFile("main.c", new byte[0]));
    assertThat(JobScript.compileCommand("cc -o /tmp/main -x c {sources:.c} -lm", one))
      .isEqualTo("cc -o /tmp/main -x c 'main.c' -lm")
      .isEqualTo(JobScript.compileCommand("cc -o /tmp/main -x c {file} -lm", one));
  }

  @Test
  void sourcesAreTheEntryThenEveryFileWithOneOfTheExtensionsQuoted() {
    List<SourceFile> files = List.of(file("prog"), file("util.h"), file("b.cc"), file("lib/a.cpp"),
      file("x'; touch pwned; '.cpp"), file("notes.txt"), file("@opts.cxx"), file("{file}.cpp"), file("c.cpp.orig"));
    assertThat(JobScript.compileCommand("c++ -x c++ {sources:.cpp, .cc,.cxx} -o m", files)).isEqualTo(
      "c++ -x c++ 'prog' 'b.cc' 'lib/a.cpp' 'x'\\''; touch pwned; '\\''.cpp' './@opts.cxx' '{file}.cpp' -o m");
    // {file} is the entry alone, and a name holding a placeholder is not expanded again
    assertThat(JobScript.compileCommand("cc {file} {sources:.h}", List.of(file("{sources:.h}"), file("a.h"))))
      .isEqualTo("cc '{sources:.h}' '{sources:.h}' 'a.h'");
    assertThat(JobScript.compileCommand("cc {sources:}", files)).isEqualTo("cc 'prog'");
  }

  @Test
  void theCompileStepGetsEachSourceNameAsOneArgumentWhateverItHolds() throws Exception {
    // a stand-in compiler that records its arguments, one per line: the shell sees names, never code
    RuntimeSpec c = new RuntimeSpec("c", List.of(), "1", "img", "main.c", "printf '[%s]\\n' {sources:.c} > args",
      "cat args; [ -e pwned ] || [ -e ../pwned ] || echo clean", 1000, false);
    ExecutionJob job = new ExecutionJob("id", 0, c, "img", List.of(
      file("main.c"), file("u t'il;.h"), file("u t'il;.c"), file("$(touch pwned).c"), file("a\"b`id`;.c")),
      null, List.of(), Map.of(), ResourceLimits.DEFAULTS, false);
    String out = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, "cc", tmp.toString()));
    assertThat(out).matches("\u001eEXECGATE:cc:compile:0:[0-9]*:[0-9]*\u001e"
      + "\\[main\\.c]\n\\[u t'il;\\.c]\n\\[\\$\\(touch pwned\\)\\.c]\n\\[a\"b`id`;\\.c]\n"
      + "clean\n"
      + "\u001eEXECGATE:cc:exit:0:[0-9]*:[0-9]*:[0-9]*\u001e");
  }

  @Test
  void compilerOptionsGoBeforeTheFirstFileEachOneQuotedWord() {
    List<SourceFile> one = List.of(new SourceFile("main.c", new byte[0]));
    assertThat(JobScript.compileCommand("cc -o /tmp/main -x c {sources:.c} -lm", one, List.of("-DVALUE=42", "-O2")))
      .isEqualTo("cc -o /tmp/main -x c '-DVALUE=42' '-O2' 'main.c' -lm");
    assertThat(JobScript.compileCommand("cc {file} {file}", one, List.of("-Wall")))
      .isEqualTo("cc '-Wall' 'main.c' 'main.c'");
    assertThat(JobScript.compileCommand("make", one, List.of("-j1"))).isEqualTo("make '-j1'");
    assertThat(JobScript.compileCommand("cc {file}", one, List.of())).isEqualTo("cc 'main.c'");
  }

  @Test
  void compilerOptionsReachTheCompilerAsArgumentsNeverAsCode() throws Exception {
    // validation refuses these words; the quoting alone must still hold if one got through
    RuntimeSpec c = new RuntimeSpec("c", List.of(), "1", "img", "main.c", "printf '[%s]\\n' {file} > args",
      "cat args; [ -e pwned ] || [ -e ../pwned ] || echo clean", 1000, false);
    ExecutionJob job = new ExecutionJob("id", 0, c, "img", List.of(file("main.c")), null, List.of(), Map.of(),
      ResourceLimits.DEFAULTS, false, null, null,
      List.of("-DX=1", "; touch pwned", "$(touch pwned)", "`touch pwned`", "a'b", "x\ny"), null);
    String out = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, "cc", tmp.toString()));
    assertThat(out).matches("\u001eEXECGATE:cc:compile:0:[0-9]*:[0-9]*\u001e"
      + "\\[-DX=1]\n\\[; touch pwned]\n\\[\\$\\(touch pwned\\)]\n\\[`touch pwned`]\n\\[a'b]\n\\[x\ny]\n"
      + "\\[main\\.c]\nclean\n"
      + "\u001eEXECGATE:cc:exit:0:[0-9]*:[0-9]*:[0-9]*\u001e");
  }

  private static SourceFile file(String name) {
    return new SourceFile(name, new byte[0]);
  }

  @Test
  void refusesAnythingButItsHeader() throws Exception {
    Process p = start(JobScript.launcher(tmp.toString()));
    try (OutputStream in = p.getOutputStream()) {
      in.write("rm -rf /\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(121);
  }

  /**
   * Runs {@code script} under the host's /bin/sh.
   */
  private String sh(String script, byte[] stdin) throws Exception {
    Process p = start(script);
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream is = p.getInputStream()) {
      is.transferTo(out);
    }
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out.toString(StandardCharsets.UTF_8);
  }

  private Process start(String script) throws Exception {
    return new ProcessBuilder("/bin/sh", "-c", script)
      .directory(tmp.toFile())
      .redirectError(ProcessBuilder.Redirect.DISCARD)
      .start();
  }
}
