package io.execgate.bench;

import io.execgate.it.RedTeamAttacks;
import io.execgate.it.RedTeamReport;

/**
 * The red-team run ({@code bin/redteam}): replays the integrity, tenancy and availability attacks
 * against the runnable jar on the real engine and prints one line per attack ({@code held} or
 * {@code broke}, with what was seen), then {@code N passed, N failed}; exits 1 if any broke. The
 * attacks live next to the integration tests whose programs and clients they reuse
 * ({@link RedTeamAttacks}). Not part of the test run.
 */
public final class RedTeam {

  private RedTeam() {
  }

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    RedTeamReport report = new RedTeamReport(System.out);
    try {
      new RedTeamAttacks(report).run();
    } catch (Exception e) {
      report.broke("run", "stopped early: " + e);
    }
    int exit = report.finish();
    System.out.println("red team: " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
    System.exit(exit);
  }
}
