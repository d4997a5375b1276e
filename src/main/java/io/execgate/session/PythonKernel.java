package io.execgate.session;

import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A stateful Python session's interpreter, kept across its executions ("cells").
 *
 * <p>The kernel script ({@code kernel.py}, a resource) is written into the sandbox's {@code /tmp}
 * through the engine's exec at session start, never through the host. Each cell is an ordinary
 * session execution whose program is the kernel's client: it sends the cell's source and passes
 * its own stdin, stdout and stderr to the interpreter over a Unix socket, so the cell streams like
 * any program, and exits with the cell's exit code. The first cell (and the first after the
 * interpreter died or was restarted) starts the interpreter in its own process session.
 *
 * <p>The interpreter must outlive each execution, so a stateful session's cleanup does not run
 * {@code kill -KILL -1}: it kills every process but PID 1, the caller, the interpreter and its
 * wrapper (whatever a cell forked dies). A deadline or cancel interrupts the cell with SIGINT
 * first; if the cell is still running after {@link #INTERRUPT_GRACE_TENTHS} tenths of a second,
 * the interpreter is killed, and the next cell starts a fresh one.
 */
public final class PythonKernel {

  /** Where the kernel's script, socket and pid file live, in the sandbox's tmpfs. */
  public static final String DIR = "/tmp/.execgate";
  public static final String SCRIPT = DIR + "/kernel.py";
  /** The name a cell's source is written under in the working directory (the client removes it). */
  public static final String CELL_FILE = ".execgate-cell.py";
  /** The run command of a cell: marks a job as a stateful cell. */
  public static final String RUN = "python3 -S " + SCRIPT + " client {file}";
  /** How long an interrupted cell may take to end, in tenths of a second, before the interpreter is restarted. */
  public static final int INTERRUPT_GRACE_TENTHS = 15;
  /** What the interrupt script prints when it restarted the interpreter. */
  public static final String RESTARTED = "restarted";

  /**
   * Kills every process of the sandbox but PID 1, the calling shell and the interpreter with its
   * wrapper (shell builtins only; twice, for what forked meanwhile).
   */
  public static final String KILL_OTHERS = "_k=; _w=; read -r _k _w < " + DIR + "/kernel.pid 2>/dev/null; "
    + "for _i in 1 2; do for _p in /proc/[0-9]*; do _p=${_p#/proc/}; case $_p in 1|$$|\"$_k\"|\"$_w\") ;; "
    + "*) kill -9 $_p 2>/dev/null;; esac; done; done";

  /**
   * A deadline or cancel: SIGINT to a busy interpreter, then, if its cell still runs after the
   * grace, the interpreter killed ({@value #RESTARTED} printed); then everything else.
   */
  public static final String INTERRUPT = "_k=; _w=; read -r _k _w < " + DIR + "/kernel.pid 2>/dev/null; "
    + "if [ -n \"$_k\" ] && [ -e " + DIR + "/busy ] && kill -INT \"$_k\" 2>/dev/null; then _i=0; "
    + "while [ -e " + DIR + "/busy ] && [ $_i -lt " + INTERRUPT_GRACE_TENTHS + " ]; do sleep 0.1; _i=$((_i + 1)); done; "
    + "if [ -e " + DIR + "/busy ]; then kill -9 \"$_k\" \"$_w\" 2>/dev/null; rm -f " + DIR + "/kernel.pid " + DIR
    + "/kernel.sock " + DIR + "/busy; echo " + RESTARTED + "; else sleep 0.2; fi; fi; " + KILL_OTHERS;

  /** The restart route: the interpreter is killed; the next cell starts a fresh one. */
  public static final String RESTART = "_k=; _w=; read -r _k _w < " + DIR + "/kernel.pid 2>/dev/null; "
    + "[ -z \"$_k\" ] || kill -9 \"$_k\" \"$_w\" 2>/dev/null; rm -f " + DIR + "/kernel.pid " + DIR + "/kernel.sock "
    + DIR + "/busy; " + KILL_OTHERS;

  /** Installs the kernel script, read by its exact length from stdin ({@code $1}). */
  public static final String INSTALL = "mkdir -p " + DIR + " && dd bs=\"$1\" count=1 iflag=fullblock of=" + SCRIPT
    + " 2>/dev/null && chmod 444 " + SCRIPT;

  private PythonKernel() {
  }

  /**
   * @return the kernel script's bytes
   */
  public static byte[] script() {
    try (InputStream in = PythonKernel.class.getResourceAsStream("kernel.py")) {
      if (in == null) {
        throw new IllegalStateException("kernel.py is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @return whether a runtime can hold a stateful session
   */
  public static boolean supports(RuntimeSpec runtime) {
    return "python".equals(runtime.name());
  }

  /**
   * Refuses a stateful session of a runtime that has no interpreter to keep: the one rule both the
   * HTTP API and the embedding client apply.
   *
   * @throws GatewayException {@code invalid_request} on field {@code stateful} when {@code runtime} is not python
   */
  public static void checkStateful(RuntimeSpec runtime) {
    if (!supports(runtime)) {
      throw GatewayException.invalid("stateful", "stateful sessions keep a Python interpreter: language "
        + runtime.name() + " has none (use python, or leave stateful out)");
    }
  }

  /**
   * @return whether {@code job} is a cell of a stateful session
   */
  public static boolean isCell(ExecutionJob job) {
    return job.session() != null && RUN.equals(job.runtime().run());
  }

  /**
   * @return the job as a cell: its script goes to the interpreter through the kernel's client, with
   *   the most bytes of rich outputs it may return ({@code limits.outputFilesBytes}, which they share
   *   with the returned files); its other files are written to the working directory as usual
   */
  public static ExecutionJob cell(ExecutionJob job) {
    RuntimeSpec r = job.runtime();
    RuntimeSpec runtime = new RuntimeSpec(r.name(), r.aliases(), r.version(), r.image(), CELL_FILE, null, RUN,
      r.compileTimeoutMs(), r.tmpfsExec(), r.ociRuntime(), r.judge0Id());
    List<SourceFile> files = new ArrayList<>(job.files());
    files.set(0, new SourceFile(CELL_FILE, files.get(0).content()));
    List<String> args = List.of(Long.toString(job.limits().outputFilesBytes()));
    return new ExecutionJob(job.id(), job.submittedAt(), runtime, job.image(), files, job.stdin(), args,
      job.env(), job.limits(), job.interactive(), job.owner(), job.tests(), job.compilerOptions(), job.session());
  }
}
