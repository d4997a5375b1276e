package io.execgate.executor.launcher;

import io.execgate.docker.SandboxProfile;
import io.execgate.model.ExecutionJob;
import io.execgate.model.SourceFile;
import io.execgate.session.PythonKernel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher protocol: how a program reaches a sandbox over its stdin, with the root filesystem
 * read-only and without relying on stdin EOF (docker-java never half-closes an attached stdin).
 * <p>
 * Every sandbox runs the constant {@link #COMMAND} under {@code /bin/sh -c}. It first makes the
 * launcher a process the program cannot read (see {@link #COMMAND}), then runs {@link #LAUNCHER}:
 * it reads one header line {@code EXECGATE1 <n>}, then exactly {@code n} bytes of a job script,
 * which it evaluates without writing it anywhere. The job script reads each file with {@code dd} by
 * its exact length into {@code /tmp/work}, runs the optional compile step, then the run step, and
 * finally writes an end record {@code \x1eEXECGATE:<nonce>:exit:<code>:<cpuMs>:<memPeak>:<oomKills>\x1e}
 * to both streams (after a compile step, a {@code compile:<code>:<cpuMs>:<memPeak>} record first,
 * which ends the compile step's output). When the job asks for files, the launcher creates {@code out/}
 * before the run step; between the run step and its end record, when {@code out/} (still a directory,
 * not a link) holds anything, the launcher sends it back on stdout: a {@code files} record, a tar stream of {@code out/} cut at
 * {@link #filesStreamBytes(long)}, and a {@code files-end} record (see {@link OutputFilesReader}). The
 * nonce is random per execution and lives only in the
 * launcher shell's memory, never in a file, the environment or a command line (the shells' own
 * {@code printf} and {@code read} are builtins), and that memory is out of the program's reach: so
 * the program can neither print a record by accident nor forge one. Because the record closes each
 * stream, the gateway knows that all output before it belongs to the program, and it does not have
 * to wait for the container to exit.
 * <p>
 * The image needs {@code /bin/sh}, {@code dd} with {@code iflag=fullblock} (busybox or coreutils),
 * {@code chmod} and {@code mkdir}.
 */
public final class JobScript {

  /** The launcher: reads and evaluates a framed job script from stdin. */
  public static final String LAUNCHER = launcher("/tmp");

  /** A small tmpfs, mounted {@code exec} and mode 0700, that holds the launcher's own shell. */
  static final String SEAL_DIR = SandboxProfile.SEAL_DIR;
  public static final long SEAL_DIR_BYTES = SandboxProfile.SEAL_DIR_BYTES;

  /**
   * The container command. The program runs as the launcher's child with the same uid, so without
   * more it could read the nonce from {@code /proc/<launcher>/mem} (or {@code ptrace} it). Linux
   * marks a process that executes a file its uid cannot read non-dumpable, and refuses the memory,
   * environment and descriptors of a non-dumpable process to other processes of the same uid that
   * lack {@code CAP_SYS_PTRACE} (sandboxes have no capabilities). So the command copies the image's
   * {@code /bin/sh} into {@link #SEAL_DIR}, makes the copy execute-only, and runs the launcher by
   * executing it; a warm container does this before its job arrives.
   * <p>
   * gVisor ({@code runsc}) does not execute a file its caller cannot read; there, processes cannot
   * read their ancestors' memory at all (ptrace is restricted to descendants), so the launcher runs
   * in the image's shell, but only after a child of it was refused its memory: if the child could
   * open it, or could not tell, the sandbox stops (exit 123) rather than run unprotected.
   */
  public static final String COMMAND = "d=" + SEAL_DIR + "; dd if=/bin/sh of=$d/sh bs=65536 2>/dev/null && chmod 111 $d/sh "
    + "|| exit 123; l=" + quote(LAUNCHER) + "; $d/sh -c : 2>/dev/null && exec $d/sh -c \"$l\"; "
    + "/bin/sh -c 'if true </proc/$PPID/mem; then exit 1; fi' 2>/dev/null || exit 123; exec /bin/sh -c \"$l\"";

  /**
   * The command of each execution in a session's sandbox, run through the engine's exec: the sealed
   * shell an earlier execution left (execute-only, so it cannot be overwritten) is removed first.
   */
  public static final String SESSION_COMMAND = "rm -f " + SEAL_DIR + "/sh 2>/dev/null; " + COMMAND;

  /**
   * A session sandbox's PID 1 (without the engine's init): it only waits, and reaps what the
   * executions leave behind, while they run beside it through the engine's exec. Signals from inside
   * the sandbox cannot end it (PID 1 of a namespace gets only those it handles, and it handles none).
   */
  public static final String SESSION_INIT = "mkdir -p /tmp/work; while :; do sleep 5; done";

  /**
   * @param tmp the sandbox's writable directory ({@code /tmp}; tests run the protocol elsewhere)
   * @return the launcher; it creates the working directory first, so that a warm container has it
   *   before its program arrives
   */
  static String launcher(String tmp) {
    return "mkdir -p " + quote(tmp + "/work") + " 2>/dev/null; "
      + "IFS= read -r h || exit 120; set -f; set -- $h; set +f; "
      + "[ \"$#\" -eq 2 ] && [ \"$1\" = EXECGATE1 ] || exit 121; "
      + "case $2 in ''|*[!0-9]*) exit 121;; esac; "
      + "j=$(dd bs=$2 count=1 iflag=fullblock 2>/dev/null); eval \"$j\"";
  }

  /**
   * Between test cases in a sandbox: every process but the launcher (and the init process) is killed.
   * Not {@code kill -s KILL -1}: dash reads a negative pid after {@code -s SIG} as an option.
   */
  static final String KILL_ALL = "kill -9 -1 2>/dev/null";
  /** Between test cases outside a sandbox (tests of the protocol): the test's own processes. */
  static final String KILL_OWN = "kill -s KILL $_p $_r $_s 2>/dev/null";

  /** Blocks of the files' tar stream, as the launcher's {@code dd} writes them. */
  static final int FILES_BLOCK_BYTES = 64 * 1024;

  /**
   * The most bytes of tar stream the launcher sends for a cap of {@code limitBytes} of content: the
   * content, a header and padding per file for as many files as a result carries, and a margin, in
   * whole blocks. Past it the stream is cut, and its reader says the files were truncated.
   */
  public static long filesStreamBytes(long limitBytes) {
    long bytes = limitBytes + (long) OutputFilesReader.MAX_FILES * 1024 + FILES_BLOCK_BYTES;
    return (bytes + FILES_BLOCK_BYTES - 1) / FILES_BLOCK_BYTES * FILES_BLOCK_BYTES;
  }

  /** Where the program's files are written and where it runs. */
  public static final String WORK_DIR = "/tmp/work";
  /** Exit codes of the launcher itself, before the program ran. */
  public static final int LAUNCHER_EXIT_MIN = 120;
  public static final int LAUNCHER_EXIT_MAX = 123;
  /** The launcher could not make its shell execute-only ({@link #COMMAND}). */
  public static final int SEAL_FAILED_EXIT = 123;

  private JobScript() {
  }

  /**
   * @return the marker prefix that opens every record of this nonce
   */
  static byte[] markerPrefix(String nonce) {
    return ("\u001eEXECGATE:" + nonce + ":").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Builds everything the sandbox's stdin receives before the program's own input.
   *
   * @param job   the execution
   * @param nonce the end-record nonce, [0-9a-f]+
   */
  public static byte[] payload(ExecutionJob job, String nonce) {
    return payload(job, nonce, "/tmp", KILL_ALL);
  }

  /**
   * The payload for a run outside a sandbox (tests): between test cases, only the test's own
   * processes are killed, never every process of the user.
   *
   * @param tmp the sandbox's writable directory ({@code /tmp}; tests run the protocol elsewhere)
   */
  static byte[] payload(ExecutionJob job, String nonce, String tmp) {
    return payload(job, nonce, tmp, KILL_OWN);
  }

  private static byte[] payload(ExecutionJob job, String nonce, String tmp, String killAll) {
    byte[] script = script(job, nonce, tmp, killAll).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(script.length + 64 + totalBytes(job));
    out.writeBytes(("EXECGATE1 " + script.length + "\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(script);
    Inline inline = Inline.of(job);
    for (SourceFile file : job.files()) {
      if (!inline.files().contains(file)) {
        out.writeBytes(file.content());
      }
    }
    if (job.stdin() != null && !inline.stdin()) {
      out.writeBytes(job.stdin());
    }
    if (job.tests() != null) {
      for (int i = 0; i < job.tests().tests().size(); i++) {
        String stdin = job.tests().tests().get(i).stdin();
        if (stdin != null && !inline.testStdins().contains(i)) {
          out.writeBytes(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    return out.toByteArray();
  }

  private static int totalBytes(ExecutionJob job) {
    long n = job.stdin() == null ? 0 : job.stdin().length;
    for (SourceFile f : job.files()) {
      n += f.content().length;
    }
    if (job.tests() != null) {
      n += job.tests().tests().stream().mapToLong(t -> t.stdin() == null ? 0 : t.stdin().length() * 3L).sum();
    }
    return (int) Math.min(n, Integer.MAX_VALUE - 1024);
  }

  static String script(ExecutionJob job, String nonce, String tmp) {
    return script(job, nonce, tmp, KILL_OWN);
  }

  private static String script(ExecutionJob job, String nonce, String tmp, String killAll) {
    String work = tmp + "/work";
    String stdinFile = tmp + "/.execgate-stdin";
    StringBuilder sb = new StringBuilder(512);
    sb.append("unset j h\n");
    sb.append("umask 022\n");
    sb.append("_m() { printf '\\036EXECGATE:").append(nonce).append(":%s\\036' \"$1\"; printf '\\036EXECGATE:")
      .append(nonce).append(":%s\\036' \"$1\" >&2; }\n");
    // read exactly $2 bytes into $1: whole 64 KiB blocks, then the rest, never reading past the end
    sb.append("_r() { if [ \"$2\" -gt 0 ]; then _q=$(($2 / 65536)); _s=$(($2 % 65536)); ")
      .append("{ [ $_q -eq 0 ] || dd bs=65536 count=$_q iflag=fullblock 2>/dev/null; ")
      .append("[ $_s -eq 0 ] || dd bs=$_s count=1 iflag=fullblock 2>/dev/null; } > \"$1\"; ")
      .append("else : > \"$1\"; fi; }\n");
    // resource usage and OOM kills, from the sandbox's own cgroup (v1, else v2)
    sb.append("_u() { _cu=; _mp=; _ok=; { if [ -r /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then ")
      .append("read -r _cu < /sys/fs/cgroup/cpuacct/cpuacct.usage; _cu=$((_cu / 1000000)); ")
      .append("read -r _mp < /sys/fs/cgroup/memory/memory.max_usage_in_bytes; ")
      .append("while read -r _k _v; do [ \"$_k\" = oom_kill ] && _ok=$_v; done < /sys/fs/cgroup/memory/memory.oom_control; ")
      .append("elif [ -r /sys/fs/cgroup/cpu.stat ]; then ")
      .append("while read -r _k _v; do [ \"$_k\" = usage_usec ] && _cu=$((_v / 1000)); done < /sys/fs/cgroup/cpu.stat; ")
      .append("[ -r /sys/fs/cgroup/memory.peak ] && read -r _mp < /sys/fs/cgroup/memory.peak; ")
      .append("while read -r _k _v; do [ \"$_k\" = oom_kill ] && _ok=$_v; done < /sys/fs/cgroup/memory.events; ")
      .append("fi; } 2>/dev/null; }\n");
    if (job.session() != null) {
      // a session's cgroup counts every execution so far: report this one's CPU and OOM kills
      sb.append("_u; _bc=${_cu:-0}; _bo=${_ok:-0}\n");
      sb.append("_d() { _u; [ -z \"$_cu\" ] || _cu=$((_cu - _bc)); [ -z \"$_ok\" ] || _ok=$((_ok - _bo)); }\n");
    }
    // in a session, what the program left running dies before its end record (kill is a shell builtin, and
    // kill -1 spares the launcher itself and the sandbox's PID 1): the next execution finds a clean sandbox
    // (a stateful session's interpreter survives: it is what the session keeps)
    String usage = job.session() == null ? "_u" : PythonKernel.isCell(job) ? "_d; " + PythonKernel.KILL_OTHERS
      : "_d; kill -KILL -1 2>/dev/null";
    sb.append("{ [ -d ").append(quote(work)).append(" ] || mkdir -p ").append(quote(work)).append("; } && cd ")
      .append(quote(work)).append(" || exit 122\n");
    Inline inline = Inline.of(job);
    Set<String> dirs = new LinkedHashSet<>();
    for (SourceFile f : job.files()) {
      int slash = f.name().lastIndexOf('/');
      if (slash > 0) {
        dirs.add(f.name().substring(0, slash));
      }
    }
    for (String dir : dirs) {
      sb.append("mkdir -p ").append(quote(dir)).append(" || exit 122\n");
    }
    for (SourceFile f : job.files()) {
      if (inline.files().contains(f)) {
        sb.append("printf '%s' ").append(quote(new String(f.content(), StandardCharsets.UTF_8))).append(" > ")
          .append(quote(f.name())).append(" || exit 122\n");
      } else {
        sb.append("_r ").append(quote(f.name())).append(' ').append(f.content().length).append(" || exit 122\n");
      }
    }
    String stdin = job.interactive() ? "" : " </dev/null";
    if (job.stdin() != null && !job.interactive()) {
      if (inline.stdin()) {
        sb.append("printf '%s' ").append(quote(new String(job.stdin(), StandardCharsets.UTF_8))).append(" > ")
          .append(quote(stdinFile)).append(" || exit 122\n");
      } else {
        sb.append("_r ").append(quote(stdinFile)).append(' ').append(job.stdin().length).append(" || exit 122\n");
      }
      stdin = " <" + quote(stdinFile);
    }
    sb.append("export HOME=").append(quote(tmp)).append('\n');
    for (Map.Entry<String, String> e : job.env().entrySet()) {
      sb.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
    }
    // a trap with a command (not an ignore) keeps the launcher alive on signals meant for the program,
    // while the program itself starts with default dispositions
    sb.append("trap : INT TERM HUP QUIT USR1 USR2 ALRM PIPE\n");
    String entry = quote(job.files().get(0).name());
    if (job.runtime().compile() != null) {
      sb.append("( ").append(compileCommand(job.runtime().compile(), job.files(), job.compilerOptions())).append(" ) </dev/null\n");
      sb.append("_c=$?; ").append(usage).append("; _m \"compile:$_c:$_cu:$_mp\"\n");
      sb.append("if [ $_c -ne 0 ]; then _m \"exit:$_c:$_cu:$_mp:$_ok\"; exit $_c; fi\n");
    }
    if (job.tests() != null) {
      TestScript.append(sb, job, tmp, killAll, inline.testStdins());
      return sb.toString();
    }
    if (job.limits().outputFilesBytes() > 0) {
      // there for the program to write into (plt.savefig("out/plot.png") needs no makedirs)
      sb.append("mkdir -p out 2>/dev/null\n");
    }
    sb.append("set --");
    for (String arg : job.args()) {
      sb.append(' ').append(quote(arg));
    }
    sb.append('\n');
    sb.append(job.runtime().run().replace("{file}", entry)).append(" \"$@\"").append(stdin).append('\n');
    sb.append("_x=$?\n");
    files(sb, job, nonce, work);
    sb.append(usage).append("; _m \"exit:$_x:$_cu:$_mp:$_ok\"; exit $_x\n");
    return sb.toString();
  }

  /**
   * Sends the program's {@code out/} directory back, after the run step: a tar of it, cut at
   * {@link #filesStreamBytes(long)}. tar stores links and FIFOs as entries without following or
   * opening them; the cut bounds the time too, since tar writes a header for every entry it meets
   * (tar has the default SIGPIPE, since a trap is not inherited: it ends once dd has enough).
   */
  private static void files(StringBuilder sb, ExecutionJob job, String nonce, String work) {
    long limit = job.limits().outputFilesBytes();
    if (limit <= 0) {
      return;
    }
    String out = quote(work + "/out");
    // only when out/ holds anything: the shell's own globbing tells, without a process
    sb.append("if [ -d ").append(out).append(" ] && [ ! -L ").append(out).append(" ] && command -v tar >/dev/null 2>&1; ")
      .append("then set -- ").append(out).append("/* ").append(out).append("/.[!.]* ").append(out).append("/..?*; ")
      .append("for _f; do if [ -e \"$_f\" ] || [ -L \"$_f\" ]; then printf '\\036EXECGATE:").append(nonce)
      .append(":files\\036'; tar -cf - -C ").append(out).append(" . 2>/dev/null | dd bs=").append(FILES_BLOCK_BYTES)
      .append(" count=").append(filesStreamBytes(limit) / FILES_BLOCK_BYTES).append(" iflag=fullblock 2>/dev/null; ")
      .append("printf '\\036EXECGATE:").append(nonce).append(":files-end\\036'; break; fi; done; fi\n");
  }

  /** The placeholders of a compile command: {@code {file}} and {@code {sources:.c,.h}}. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{file}|\\{sources:([^{}]*)}");

  /**
   * Expands a runtime's compile command for a job's files, in one pass (a name that contains a
   * placeholder stays a name). {@code {file}} is the entry file; {@code {sources:.c}} is the entry
   * file followed by every other file whose name ends with one of the comma-separated extensions,
   * in the request's order: a multi-file program compiles all of its sources, while the other files
   * (headers say) are only there to be included. Each name is one quoted shell word, so no name
   * reaches the shell as code; a name starting with {@code @} is given as {@code ./@...}, which
   * compilers do not read as a file of options (no name starts with {@code -}: request validation
   * refuses it).
   *
   * @param compile the runtime's compile command
   * @param files   the job's files, the entry file first
   */
  static String compileCommand(String compile, List<SourceFile> files) {
    return compileCommand(compile, files, List.of());
  }

  /**
   * Expands a runtime's compile command, with a request's compiler options (already checked against
   * {@link io.execgate.model.CompilerOptions}) before the first file placeholder, where Judge0 puts
   * them ({@code gcc %s main.c}): each option one quoted shell word, never shell code.
   *
   * @param options the request's compiler options, empty for none
   */
  static String compileCommand(String compile, List<SourceFile> files, List<String> options) {
    String entry = compileWord(files.get(0).name());
    StringBuilder prefix = new StringBuilder();
    for (String option : options) {
      prefix.append(quote(option)).append(' ');
    }
    Matcher m = PLACEHOLDER.matcher(compile);
    StringBuilder sb = new StringBuilder(compile.length() + 64 + prefix.length());
    boolean first = true;
    while (m.find()) {
      StringBuilder words = new StringBuilder(first ? prefix.toString() : "").append(entry);
      first = false;
      if (m.group(1) != null) {
        List<String> extensions = Arrays.stream(m.group(1).split(",")).map(String::strip)
          .filter(e -> !e.isEmpty()).toList();
        for (SourceFile f : files.subList(1, files.size())) {
          if (extensions.stream().anyMatch(f.name()::endsWith)) {
            words.append(' ').append(compileWord(f.name()));
          }
        }
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(words.toString()));
    }
    m.appendTail(sb);
    if (first && !prefix.isEmpty()) {
      // a command that names no file: the options go at its end
      sb.append(' ').append(prefix.toString().strip());
    }
    return sb.toString();
  }

  private static String compileWord(String name) {
    return quote(name.startsWith("@") ? "./" + name : name);
  }

  /**
   * @return {@code s} as one POSIX shell word
   */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
