package io.execgate.executor.launcher;

import io.execgate.model.ExecutionJob;
import io.execgate.model.TestCase;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The part of a job script that runs a judged execution's test cases, after the compile step: each
 * test is a fresh process of the run command, in the same sandbox, reading its own stdin file, and
 * each ends with a record {@code test:<i>:<code>:<cpuMs>:<memPeak>:<oomKills>:<timedOut>} on both
 * streams (CPU time and OOM kills are the test's own, the memory peak is the sandbox's so far;
 * {@code timedOut} is {@code 1} or empty). After the last test, the usual {@code exit} record ends
 * the run with code 0.
 * <p>
 * Each test's deadline is kept by the launcher itself, so that no engine call is needed per test:
 * the program runs in the background, a watchdog ({@code sleep}, then {@code SIGXCPU} to the
 * launcher) interrupts the launcher's {@code wait} at the deadline, and the launcher then kills every
 * process but itself ({@code kill -1} in the sandbox's PID namespace: forks the test left behind
 * included). It does that after every test, so nothing a test started outlives it, writes into the
 * next test's output, or holds its pids. The gateway stops a test that passed its output cap by
 * writing {@code stop <i>} to the sandbox's stdin, which stays open for that: a reader per test
 * turns the line for its own test into {@code SIGPWR} to the launcher (a stale line for an ended
 * test is ignored by the next test's reader). Clients cannot send either signal (see
 * {@link Signals#SENDABLE}); the program can, but only to end its own test early.
 * <p>
 * The image needs {@code sleep} accepting fractions of a second (busybox and coreutils do).
 */
final class TestScript {

  private TestScript() {
  }

  static void append(StringBuilder sb, ExecutionJob job, String tmp, String killAll, Set<Integer> inlineStdins) {
    List<TestCase> tests = job.tests().tests();
    for (int i = 0; i < tests.size(); i++) {
      String stdin = tests.get(i).stdin();
      if (stdin == null) {
        continue;
      }
      String file = JobScript.quote(stdinFile(tmp, i));
      if (inlineStdins.contains(i)) {
        sb.append("printf '%s' ").append(JobScript.quote(stdin)).append(" > ").append(file).append(" || exit 122\n");
      } else {
        sb.append("_r ").append(file).append(' ').append(stdin.getBytes(StandardCharsets.UTF_8).length)
          .append(" || exit 122\n");
      }
    }
    String run = job.runtime().run().replace("{file}", JobScript.quote(job.files().get(0).name()));
    sb.append("exec 3<&0\n");
    sb.append("trap '_g=1' INT TERM HUP QUIT USR1 USR2 ALRM PIPE\n");
    sb.append("trap '_T=1; _g=1' XCPU\n");
    sb.append("trap '_S=1; _g=1' PWR\n");
    sb.append("_t() { _i=$1; _d=$2; _f=$3; shift 3; _T=; _S=; _u; _c0=$_cu; _o0=$_ok\n");
    // the reader of this test's stop line, and the watchdog of its deadline
    sb.append("( while IFS= read -r _l; do [ \"$_l\" = \"stop $_i\" ] && kill -s PWR $$; done ) <&3 >/dev/null 2>&1 &\n");
    sb.append("_r=$!\n");
    sb.append("( sleep $_d; kill -s XCPU $$ ) </dev/null >/dev/null 2>&1 3<&- &\n");
    sb.append("_s=$!\n");
    sb.append(run).append(" \"$@\" <\"$_f\" 3<&- &\n");
    sb.append("_p=$!\n");
    // wait returns early (128 + n) on a trapped signal: then the program is waited for again
    sb.append("while :; do _g=; wait $_p; _x=$?; [ -n \"$_T$_S\" ] && ").append(killAll).append("; ")
      .append("[ -n \"$_g\" ] && [ $_x -gt 128 ] || break; done\n");
    sb.append("_w=$_T; ").append(killAll).append("; wait\n");
    sb.append("_u; _dc=; [ -n \"$_cu\" ] && [ -n \"$_c0\" ] && _dc=$((_cu - _c0)); ")
      .append("_do=; [ -n \"$_ok\" ] && [ -n \"$_o0\" ] && _do=$((_ok - _o0)); ")
      .append("_m \"test:$_i:$_x:$_dc:$_mp:$_do:$_w\"; }\n");
    for (int i = 0; i < tests.size(); i++) {
      TestCase t = tests.get(i);
      long ms = t.timeoutMs() != null ? t.timeoutMs() : job.limits().timeoutMs();
      sb.append("_t ").append(i).append(' ').append(ms / 1000).append('.').append(String.format("%03d", ms % 1000))
        .append(' ').append(t.stdin() == null ? "/dev/null" : JobScript.quote(stdinFile(tmp, i)));
      for (String arg : t.args()) {
        sb.append(' ').append(JobScript.quote(arg));
      }
      sb.append('\n');
    }
    sb.append("_u; _m \"exit:0:$_cu:$_mp:$_ok\"; exit 0\n");
  }

  static String stdinFile(String tmp, int index) {
    return tmp + "/.execgate-t" + index;
  }
}
