package io.execgate.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void aKeyBurstsUpToItsRateThenWaitsForTheRefill() {
    RateLimiter limiter = new RateLimiter();
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.acquire("k", 60, 0)).isZero();
    }
    // 60 per minute: one more each second
    assertThat(limiter.acquire("k", 60, 0)).isEqualTo(1);
    assertThat(limiter.acquire("k", 60, SECOND)).isZero();
    assertThat(limiter.acquire("k", 60, SECOND)).isEqualTo(1);
  }

  @Test
  void keysHaveTheirOwnBucketsAndZeroMeansUnlimited() {
    RateLimiter limiter = new RateLimiter();
    assertThat(limiter.acquire("a", 1, 0)).isZero();
    assertThat(limiter.acquire("a", 1, 0)).isEqualTo(60);
    assertThat(limiter.acquire("b", 1, 0)).isZero();
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.acquire("c", 0, 0)).isZero();
    }
  }
}
