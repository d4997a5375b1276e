package io.execgate.executor.launcher;

import io.execgate.model.Control;

import java.util.List;

/**
 * Linux signal numbers and names, for reporting how a program ended and validating what clients
 * may send.
 */
public final class Signals {

  private static final List<String> NAMES = List.of("", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
    "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
    "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS");

  /** The signals a client may send to a running program. */
  public static final List<String> SENDABLE = Control.SENDABLE_SIGNALS;

  private Signals() {
  }

  /**
   * @return the name of signal {@code n}, or {@code null}
   */
  public static String name(int n) {
    return n > 0 && n < NAMES.size() ? NAMES.get(n) : null;
  }

  /**
   * The signal a shell's exit status reports: a status above 128 means death by signal status - 128.
   *
   * @return the signal name, or {@code null} when the status is an ordinary exit
   */
  public static String fromExitCode(Integer exitCode) {
    return exitCode != null && exitCode > 128 ? name(exitCode - 128) : null;
  }
}
