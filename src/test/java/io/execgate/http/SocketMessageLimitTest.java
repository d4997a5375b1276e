package io.execgate.http;

import io.execgate.http.SocketMessageLimit.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SocketMessageLimitTest {

  private static final long MS = 1_000_000L;

  @Test
  void aBurstIsTakenThenTheRateThenTooManyRefusalsWithinASecondClose() {
    SocketMessageLimit limit = new SocketMessageLimit(10, 5, 0);
    for (int i = 0; i < 5; i++) {
      assertThat(limit.control(0)).isEqualTo(Verdict.ACCEPT);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(limit.control(0)).isEqualTo(Verdict.REFUSE);
    }
    // 10 per second: one more after 100 ms; the refusals of this second still count
    assertThat(limit.control(100 * MS)).isEqualTo(Verdict.ACCEPT);
    assertThat(limit.control(100 * MS)).isEqualTo(Verdict.REFUSE);
    assertThat(limit.control(100 * MS)).isEqualTo(Verdict.REFUSE);
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
  void refusalsOfAnEarlierSecondDoNotCount() {
    SocketMessageLimit limit = new SocketMessageLimit(10, 2, 0);
    assertThat(limit.refuse(0)).isEqualTo(Verdict.REFUSE);
    assertThat(limit.refuse(0)).isEqualTo(Verdict.REFUSE);
    assertThat(limit.refuse(1_001 * MS)).isEqualTo(Verdict.REFUSE);
    assertThat(limit.refuse(1_001 * MS)).isEqualTo(Verdict.REFUSE);
    assertThat(limit.refuse(1_002 * MS)).isEqualTo(Verdict.CLOSE);
  }
}
