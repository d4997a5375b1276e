package io.execgate.http;

import io.execgate.http.SocketMessageLimit.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SocketMessageLimitTest {

  private static final long MS = 1_000_000L;

  @Test
  void aBurstIsTakenThenTheRateThenRefusalsInARowClose() {
    SocketMessageLimit limit = new SocketMessageLimit(10, 5, 0);
    for (int i = 0; i < 5; i++) {
      assertThat(limit.control(0)).isEqualTo(Verdict.ACCEPT);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(limit.control(0)).isEqualTo(Verdict.REFUSE);
    }
    // 10 per second: one more after 100 ms, and the run of refusals starts again
    assertThat(limit.control(100 * MS)).isEqualTo(Verdict.ACCEPT);
    for (int i = 0; i < 5; i++) {
      assertThat(limit.control(100 * MS)).isEqualTo(Verdict.REFUSE);
    }
    assertThat(limit.control(100 * MS)).isEqualTo(Verdict.CLOSE);
  }

  @Test
  void theBucketRefillsUpToTheBurstOnly() {
    SocketMessageLimit limit = new SocketMessageLimit(10, 3, 0);
    long later = 60_000 * MS;
    for (int i = 0; i < 3; i++) {
      assertThat(limit.control(later)).isEqualTo(Verdict.ACCEPT);
    }
    assertThat(limit.control(later)).isEqualTo(Verdict.REFUSE);
  }

  @Test
  void otherRefusalsCountTowardsTheCloseAndOtherAcceptedMessagesEndTheRun() {
    SocketMessageLimit limit = new SocketMessageLimit(10, 2, 0);
    assertThat(limit.refuse()).isEqualTo(Verdict.REFUSE);
    assertThat(limit.refuse()).isEqualTo(Verdict.REFUSE);
    limit.accepted();
    assertThat(limit.refuse()).isEqualTo(Verdict.REFUSE);
    assertThat(limit.refuse()).isEqualTo(Verdict.REFUSE);
    assertThat(limit.refuse()).isEqualTo(Verdict.CLOSE);
  }
}
