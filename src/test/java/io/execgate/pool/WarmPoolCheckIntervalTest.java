package io.execgate.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm pool's checks (image, running containers) every 10 s while executions come, rarer the longer
 * the pools idle, never rarer than every 5 minutes.
 */
class WarmPoolCheckIntervalTest {

  @Test
  void theChecksSlowDownWithIdleTimeWithinBounds() {
    long base = WarmPoolVerticle.IMAGE_RECHECK_MS;
    assertThat(IdleCadence.intervalMs(base, 0)).isEqualTo(10_000);
    assertThat(IdleCadence.intervalMs(base, 40_000)).isEqualTo(10_000);
    assertThat(IdleCadence.intervalMs(base, 120_000)).isEqualTo(30_000);
    assertThat(IdleCadence.intervalMs(base, 3_600_000)).isEqualTo(IdleCadence.IDLE_CHECK_MAX_MS)
      .isEqualTo(300_000);
    // a clock step backwards never makes them more frequent than the base
    assertThat(IdleCadence.intervalMs(base, -60_000)).isEqualTo(10_000);
  }
}
