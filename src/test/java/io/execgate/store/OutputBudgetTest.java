package io.execgate.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budget of output held by a node's records: per key and per node, evicting stored records'
 * output oldest first (a key's own first, then the key that holds the most), refusing what no
 * eviction can make room for, and forgetting records once they expired.
 */
class OutputBudgetTest {

  private static final long K = 1024;
  private static final long M = 1024 * K;

  private long now = 1_000_000;
  private final List<String> evicted = new ArrayList<>();

  private OutputBudget budget(long max, long perKey) {
    return new OutputBudget(max, perKey, () -> now);
  }

  /** A finished execution of {@code key} whose record holds {@code bytes}. */
  private void store(OutputBudget budget, String key, String id, long bytes) {
    OutputBudget.Reservation r = budget.open(key);
    assertThat(r.take(bytes)).as("%s fits", id).isTrue();
    r.stored(id, bytes, now + 60_000, () -> evicted.add(id));
  }

  @Test
  void reservationsGrowByBlocksAndStoringKeepsOnlyWhatTheRecordHolds() {
    OutputBudget budget = budget(16 * M, 4 * M);
    OutputBudget.Reservation r = budget.open("a");
    assertThat(r.take(10)).isTrue();
    assertThat(budget.used("a")).isEqualTo(OutputBudget.BLOCK_BYTES);
    assertThat(r.take(OutputBudget.BLOCK_BYTES)).isTrue();
    assertThat(budget.used("a")).isEqualTo(2 * OutputBudget.BLOCK_BYTES);
    r.stored("x", 100, now + 1000, () -> evicted.add("x"));
    assertThat(budget.used()).isEqualTo(100);
    assertThat(budget.storedEntries()).isEqualTo(1);
  }

  @Test
  void aKeyOverItsBudgetLosesItsOwnOldestRecordsFirst() {
    OutputBudget budget = budget(64 * M, 5 * M / 2);
    store(budget, "victim", "v1", M);
    store(budget, "attacker", "a1", M);
    store(budget, "attacker", "a2", M);
    store(budget, "attacker", "a3", M);
    // a3 needed room: the attacker's oldest went, the victim's stayed
    assertThat(evicted).containsExactly("a1");
    store(budget, "attacker", "a4", 2 * M);
    assertThat(evicted).containsExactly("a1", "a2", "a3");
    assertThat(budget.used("victim")).isEqualTo(M);
    assertThat(budget.used("attacker")).isEqualTo(2 * M);
  }

  @Test
  void aFullNodeTakesFromTheKeyHoldingTheMostOldestFirst() {
    OutputBudget budget = budget(4 * M, 4 * M);
    store(budget, "small", "s1", M / 2);
    store(budget, "big", "b1", M);
    store(budget, "big", "b2", M);
    store(budget, "big", "b3", M);
    store(budget, "other", "o1", M);
    // 4.5 MiB wanted: the biggest holder lost its oldest, not the older record of a small key
    assertThat(evicted).containsExactly("b1");
    assertThat(budget.used()).isLessThanOrEqualTo(4 * M);
    assertThat(budget.evictions()).isEqualTo(1);
  }

  @Test
  void whatNoEvictionCanMakeRoomForIsRefusedButTheFirstBlockIsAlwaysGranted() {
    OutputBudget budget = budget(2 * M, 2 * M);
    OutputBudget.Reservation running = budget.open("a");
    assertThat(running.take(2 * M)).isTrue();
    OutputBudget.Reservation next = budget.open("b");
    // nothing stored to evict: only running executions hold the node
    assertThat(next.take(10)).as("a small output is always kept").isTrue();
    assertThat(next.take(OutputBudget.BLOCK_BYTES)).as("more is refused").isFalse();
    next.release();
    running.release();
    assertThat(budget.used()).isZero();
  }

  @Test
  void expiredRecordsNoLongerCountAndAreNotEvicted() {
    OutputBudget budget = budget(2 * M, 2 * M);
    store(budget, "a", "old", 2 * M);
    now += 61_000;
    store(budget, "a", "new", 2 * M);
    assertThat(evicted).isEmpty();
    assertThat(budget.used()).isEqualTo(2 * M);
    assertThat(budget.storedEntries()).isEqualTo(1);
  }

  @Test
  void releasingTwiceOrAfterStoringChangesNothing() {
    OutputBudget budget = budget(2 * M, 2 * M);
    OutputBudget.Reservation r = budget.open("a");
    r.take(100);
    r.stored("x", 100, now + 1000, () -> evicted.add("x"));
    r.release();
    r.release();
    assertThat(budget.used()).isEqualTo(100);
    assertThat(r.take(1)).as("a closed reservation takes nothing").isFalse();
  }
}
