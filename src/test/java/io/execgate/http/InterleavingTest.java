package io.execgate.http;

import io.execgate.store.TextSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Piston's {@code output} rebuilt from the order the streams arrived in and the record's two texts,
 * read in pieces that do not line up with the runs; and given up past its bound.
 */
class InterleavingTest {

  @Test
  void theTextsAreMergedInTheOrderTheyArrivedWhateverTheirPieces() {
    Interleaving order = new Interleaving();
    order.add(false, 3);
    order.add(false, 2);
    order.add(true, 4);
    order.add(false, 1);
    order.add(true, 1);
    assertThat(order.matches(6, 5)).isTrue();
    assertThat(order.matches(6, 4)).isFalse();
    TextSource merged = order.over(TextSource.of(List.of("ab", "cde", "f")), TextSource.of(List.of("WXY", "Z!")));
    assertThat(TextSource.join(merged).await()).isEqualTo("abcdeWXYZf!");
  }

  @Test
  void pastItsBoundItGivesUp() {
    Interleaving order = new Interleaving();
    for (int i = 0; i <= Interleaving.MAX_RUNS; i++) {
      order.add(i % 2 == 1, 1);
    }
    assertThat(order.matches((Interleaving.MAX_RUNS + 1) / 2 + 1, (Interleaving.MAX_RUNS + 1) / 2)).isFalse();
  }

  @Test
  void aRecordShorterThanTheRunsEndsTheOutputInsteadOfLooping() {
    Interleaving order = new Interleaving();
    order.add(false, 5);
    order.add(true, 5);
    assertThat(TextSource.join(order.over(TextSource.of("ab"), TextSource.of("cd"))).await()).isEqualTo("ab");
  }
}
