package io.execgate.it;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The red team's verdicts, one line each as they come ({@code held  <name>  <evidence>}, {@code
 * broke <name>  <evidence>}, {@code skip  <name>  <why>}), then {@code N passed, N failed}. An
 * attack is a {@link Callable} that returns its evidence when the gateway held, and throws (an
 * {@link AssertionError} saying what it saw) when it broke, or when it did not end in its time.
 */
public final class RedTeamReport {

  /** How an attack ended. */
  public enum Verdict {
    HELD("held "), BROKE("broke"), SKIP("skip ");

    private final String word;

    Verdict(String word) {
      this.word = word;
    }
  }

  /**
   * One attack's line.
   *
   * @param verdict held, broke or skipped
   * @param name the attack
   * @param evidence what was seen (or, skipped, what covers it instead)
   */
  public record Line(Verdict verdict, String name, String evidence) {

    /**
     * @return the line as printed: verdict, name padded to a column, evidence on one line
     */
    public String format() {
      return verdict.word + " " + String.format("%-30s", name) + "  " + evidence.replaceAll("\\s*\\R\\s*", " ").strip();
    }
  }

  private static final int MAX_EVIDENCE = 400;

  private final PrintStream out;
  private final List<Line> lines = new ArrayList<>();
  private final ExecutorService attacks = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "red-team-attack");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param out where each line is printed as it comes
   */
  public RedTeamReport(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs an attack and records its line.
   *
   * @param timeoutMs how long it may take; past it, it broke
   * @return whether the gateway held
   */
  public boolean attack(String name, long timeoutMs, Callable<String> attack) {
    Future<String> run = attacks.submit(attack);
    try {
      record(new Line(Verdict.HELD, name, run.get(timeoutMs, TimeUnit.MILLISECONDS)));
      return true;
    } catch (ExecutionException e) {
      record(new Line(Verdict.BROKE, name, describe(e.getCause())));
    } catch (TimeoutException e) {
      run.cancel(true);
      record(new Line(Verdict.BROKE, name, "no verdict within " + timeoutMs + " ms"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      record(new Line(Verdict.BROKE, name, "interrupted"));
    }
    return false;
  }

  /**
   * Records an attack this run does not replay, and the test that does; not counted.
   */
  public void skip(String name, String coveredBy) {
    record(new Line(Verdict.SKIP, name, coveredBy));
  }

  /**
   * Records a break seen outside an attack (the run itself failed).
   */
  public void broke(String name, String evidence) {
    record(new Line(Verdict.BROKE, name, evidence));
  }

  private synchronized void record(Line line) {
    lines.add(line);
    out.println(line.format());
    out.flush();
  }

  static String describe(Throwable e) {
    String message = e instanceof AssertionError && e.getMessage() != null ? e.getMessage()
      : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    message = message.replaceAll("\\s*\\R\\s*", " ").strip();
    return message.length() > MAX_EVIDENCE ? message.substring(0, MAX_EVIDENCE) + "…" : message;
  }

  /**
   * @return the lines so far
   */
  public synchronized List<Line> lines() {
    return List.copyOf(lines);
  }

  public synchronized long passed() {
    return lines.stream().filter(l -> l.verdict() == Verdict.HELD).count();
  }

  public synchronized long failed() {
    return lines.stream().filter(l -> l.verdict() == Verdict.BROKE).count();
  }

  /**
   * Prints {@code N passed, N failed} (skipped attacks count in neither).
   *
   * @return the process's exit code: 0 when nothing broke (and something held), 1 otherwise
   */
  public int finish() {
    out.println(passed() + " passed, " + failed() + " failed");
    out.flush();
    attacks.shutdownNow();
    return failed() == 0 && passed() > 0 ? 0 : 1;
  }
}
