package io.execgate.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionExpiryTest {

  @Test
  void idleOnlyWhenNothingRuns() {
    assertThat(SessionExpiry.reason(10_000, 0, 60_000, 8_000, 2_000, false)).isEqualTo(SessionExpiry.IDLE);
    assertThat(SessionExpiry.reason(9_999, 0, 60_000, 8_000, 2_000, false)).isNull();
    // an execution or a file call in progress is activity
    assertThat(SessionExpiry.reason(50_000, 0, 60_000, 8_000, 2_000, true)).isNull();
  }

  @Test
  void theLifetimeIsAHardBoundEvenWhileBusy() {
    assertThat(SessionExpiry.reason(60_000, 0, 60_000, 59_000, 30_000, true)).isEqualTo(SessionExpiry.LIFETIME);
    assertThat(SessionExpiry.reason(60_000, 0, 60_000, 0, 1_000, false)).isEqualTo(SessionExpiry.LIFETIME);
    assertThat(SessionExpiry.reason(59_999, 0, 60_000, 59_000, 30_000, false)).isNull();
  }
}
