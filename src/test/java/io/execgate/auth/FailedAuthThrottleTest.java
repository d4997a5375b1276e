package io.execgate.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailedAuthThrottleTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void anAddressMayFailItsBudgetThenWaitsWhileOthersDoNot() {
    FailedAuthThrottle throttle = new FailedAuthThrottle(6, 100);
    long now = 0;
    for (int i = 0; i < 6; i++) {
      assertThat(throttle.retryAfter("10.0.0.1", now)).isZero();
      throttle.failed("10.0.0.1", now);
    }
    assertThat(throttle.retryAfter("10.0.0.1", now)).isEqualTo(10);
    assertThat(throttle.retryAfter("10.0.0.2", now)).isZero();
    // one failure back per 10 s
    assertThat(throttle.retryAfter("10.0.0.1", now + 10 * SECOND)).isZero();
    throttle.failed("10.0.0.1", now + 10 * SECOND);
    assertThat(throttle.retryAfter("10.0.0.1", now + 10 * SECOND)).isEqualTo(10);
  }

  @Test
  void ipv6AddressesCountPerSlash64AndTheTableIsBounded() {
    FailedAuthThrottle throttle = new FailedAuthThrottle(1, 100);
    throttle.failed("2001:db8:1:2:0:0:0:1", 0);
    assertThat(throttle.retryAfter("2001:db8:1:2:ffff:0:0:9", 0)).isPositive();
    assertThat(throttle.retryAfter("2001:db8:1:3:0:0:0:1", 0)).isZero();
    for (int i = 0; i < 1_000; i++) {
      throttle.failed("10.1." + (i / 256) + "." + (i % 256), 0);
    }
    assertThat(throttle.size()).isEqualTo(100);
    assertThat(FailedAuthThrottle.key("not-an-address")).isEqualTo("not-an-address");
  }

  @Test
  void zeroTurnsItOff() {
    FailedAuthThrottle throttle = new FailedAuthThrottle(0, 100);
    for (int i = 0; i < 1_000; i++) {
      throttle.failed("10.0.0.1", 0);
    }
    assertThat(throttle.retryAfter("10.0.0.1", 0)).isZero();
    assertThat(throttle.size()).isZero();
  }
}
