package io.execgate.config;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

  @Test
  void theNominalDelayDoublesUpToTheMaximum() {
    long[] expected = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
    for (int retry = 1; retry <= expected.length; retry++) {
      assertThat(Backoff.maxDelayMs(1_000, 30_000, retry)).as("retry %d", retry).isEqualTo(expected[retry - 1]);
    }
  }

  @Test
  void jitterTakesOffAtMostHalfOfTheDelay() {
    for (int retry = 1; retry <= 8; retry++) {
      long nominal = Backoff.maxDelayMs(1_000, 30_000, retry);
      assertThat(Backoff.delayMs(1_000, 30_000, retry, 0.0)).isEqualTo(nominal);
      assertThat(Backoff.delayMs(1_000, 30_000, retry, Math.nextDown(1.0))).isEqualTo(nominal / 2 + 1);
      assertThat(Backoff.minDelayMs(1_000, 30_000, retry)).isEqualTo(nominal / 2);
    }
  }

  @Test
  void randomDelaysStayWithinTheBoundsAndSpread() {
    Random random = new Random(42);
    for (int retry = 1; retry <= 6; retry++) {
      long min = Backoff.minDelayMs(500, 4_000, retry);
      long max = Backoff.maxDelayMs(500, 4_000, retry);
      long lowest = Long.MAX_VALUE;
      long highest = 0;
      for (int i = 0; i < 1_000; i++) {
        long d = Backoff.delayMs(500, 4_000, retry, random.nextDouble());
        assertThat(d).isBetween(min, max);
        lowest = Math.min(lowest, d);
        highest = Math.max(highest, d);
      }
      // jitter really spreads the retries of gateways that failed together
      assertThat(highest - lowest).as("spread at retry %d", retry).isGreaterThan((max - min) * 8 / 10);
    }
  }

  @Test
  void manyRetriesNeitherOverflowNorExceedTheMaximum() {
    assertThat(Backoff.maxDelayMs(1_000, 3_600_000, 100)).isEqualTo(3_600_000);
    assertThat(Backoff.maxDelayMs(Long.MAX_VALUE / 4, Long.MAX_VALUE, 50)).isPositive();
    assertThatThrownBy(() -> Backoff.maxDelayMs(1_000, 2_000, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEnsureDeadlineCoversEveryAttemptAndEveryBackoff() {
    ImageCacheOptions options = new ImageCacheOptions().setPullTimeoutSeconds(10).setPullRetries(3)
      .setPullRetryDelayMs(1_000).setPullRetryMaxDelayMs(3_000);
    // 4 attempts of 10 s, backoffs of at most 1 + 2 + 3 s, one minute to inspect and check
    assertThat(options.ensureDeadlineMs()).isEqualTo(40_000 + 6_000 + 60_000);
  }
}
