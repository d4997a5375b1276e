package io.execgate.it;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RedTeamReportTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final RedTeamReport report = new RedTeamReport(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aHeldAttackPrintsItsEvidenceAndPasses() {
    assertThat(report.attack("forged-exit", 5_000, () -> "status failed,\n exit 7")).isTrue();
    assertThat(report.finish()).isZero();
    assertThat(printed()).isEqualTo("held  forged-exit                     status failed, exit 7\n1 passed, 0 failed\n");
  }

  @Test
  void anAssertionOrAnyExceptionIsABreakAndTheExitCodeSaysSo() {
    report.attack("held", 5_000, () -> "fine");
    report.attack("assertion", 5_000, () -> {
      throw new AssertionError("[victim's echo]\nExpecting actual:\n  2400L\nto be less than:\n  2000L");
    });
    report.attack("exception", 5_000, () -> {
      throw new java.io.IOException("connection refused");
    });
    assertThat(report.finish()).isEqualTo(1);
    assertThat(printed().lines()).containsExactly(
      "held  held                            fine",
      "broke assertion                       [victim's echo] Expecting actual: 2400L to be less than: 2000L",
      "broke exception                       IOException: connection refused",
      "1 passed, 2 failed");
  }

  @Test
  void anAttackThatTakesTooLongBrokeAndIsStopped() {
    long t0 = System.nanoTime();
    assertThat(report.attack("hang", 200, () -> {
      Thread.sleep(60_000);
      return "never";
    })).isFalse();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    assertThat(printed()).startsWith("broke hang").contains("no verdict within 200 ms");
  }

  @Test
  void aSkipCountsInNeitherButNothingHeldIsNoPass() {
    report.skip("cluster-forgery", "ClusterIT");
    assertThat(report.finish()).isEqualTo(1);
    assertThat(printed()).isEqualTo("skip  cluster-forgery                 ClusterIT\n0 passed, 0 failed\n");
  }

  @Test
  void longEvidenceIsCut() {
    report.attack("long", 5_000, () -> {
      throw new AssertionError("x".repeat(1_000));
    });
    assertThat(report.lines().get(0).evidence()).hasSize(401).endsWith("…");
  }
}
