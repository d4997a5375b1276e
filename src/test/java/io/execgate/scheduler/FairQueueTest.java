package io.execgate.scheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FairQueueTest {

  /** Slots held per owner: what the scheduler tells the queue. */
  private final Map<String, Integer> running = new HashMap<>();

  private int running(String owner) {
    return running.getOrDefault(owner, 0);
  }

  /**
   * Gives slots until the queue is empty, each taken slot held by its owner.
   */
  private List<String> drain(FairQueue<String> q) {
    List<String> order = new ArrayList<>();
    FairQueue.Entry<String> e;
    while ((e = q.poll(x -> true, this::running)) != null) {
      order.add(e.id);
      running.merge(e.owner, 1, Integer::sum);
    }
    return order;
  }

  private static void add(FairQueue<String> q, String owner, String... ids) {
    for (String id : ids) {
      q.add(id, owner, 1, id);
    }
  }

  @Test
  void keysOfEqualWeightTakeTurnsWhateverTheyQueued() {
    FairQueue<String> q = new FairQueue<>(true);
    add(q, "attacker", "a0", "a1", "a2", "a3", "a4");
    add(q, "victim", "v0", "v1");
    // ties go to the earlier arrival, then the keys alternate
    assertThat(drain(q)).containsExactly("a0", "v0", "a1", "v1", "a2", "a3", "a4");
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void aKeyHoldingFewerSlotsGoesFirstUntilTheSharesAreEven() {
    FairQueue<String> q = new FairQueue<>(true);
    running.put("attacker", 12);
    add(q, "attacker", "a0", "a1", "a2", "a3", "a4", "a5");
    // the victim arrives last and holds nothing: every slot that frees is its, until it holds as many
    add(q, "victim", "v0", "v1", "v2");
    assertThat(q.position("v0", this::running)).isZero();
    assertThat(q.position("v2", this::running)).isEqualTo(2);
    assertThat(q.position("a0", this::running)).isEqualTo(3);
    assertThat(drain(q)).containsExactly("v0", "v1", "v2", "a0", "a1", "a2", "a3", "a4", "a5");
  }

  @Test
  void aKeyThatArrivesLateStartsAtTheCurrentTurnNotBehindTheQueue() {
    FairQueue<String> q = new FairQueue<>(true);
    for (int i = 0; i < 20; i++) {
      add(q, "attacker", "a" + i);
    }
    for (int i = 0; i < 10; i++) {
      q.poll(x -> true, o -> 0);
    }
    // with equal holdings, the victim's first starts at the turn being served: it goes next
    add(q, "victim", "v0", "v1");
    assertThat(q.position("v0", o -> 0)).isZero();
    assertThat(q.position("v1", o -> 0)).isEqualTo(2);
  }

  @Test
  void anIdleKeySavesNoCredit() {
    FairQueue<String> q = new FairQueue<>(true);
    add(q, "a", "a0", "a1", "a2", "a3", "a4", "a5");
    for (int i = 0; i < 4; i++) {
      q.poll(x -> true, o -> 0);
    }
    // b was away while a had four turns (whose runs ended since): b takes its turn now, then they
    // alternate; not four in a row
    add(q, "b", "b0", "b1", "b2");
    assertThat(drain(q)).containsExactly("b0", "a4", "b1", "a5", "b2");
  }

  @Test
  void weightsShareTheSlots() {
    FairQueue<String> q = new FairQueue<>(true);
    for (int i = 0; i < 6; i++) {
      q.add("h" + i, "heavy", 2, "h" + i);
      q.add("l" + i, "light", 1, "l" + i);
    }
    List<String> first6 = drain(q).subList(0, 6);
    assertThat(first6.stream().filter(id -> id.startsWith("h")).count()).isEqualTo(4);
    assertThat(first6.stream().filter(id -> id.startsWith("l")).count()).isEqualTo(2);
  }

  @Test
  void fifoIsArrivalOrderWhateverTheHoldings() {
    FairQueue<String> q = new FairQueue<>(false);
    running.put("a", 10);
    add(q, "a", "a0", "a1");
    add(q, "b", "b0");
    add(q, "a", "a2");
    assertThat(q.position("b0", this::running)).isEqualTo(2);
    assertThat(q.projectedPosition("c", 1, 0, this::running)).isEqualTo(4);
    assertThat(drain(q)).containsExactly("a0", "a1", "b0", "a2");
  }

  @Test
  void anOwnerThatMayNotRunIsSkippedAndKeepsItsPlace() {
    FairQueue<String> q = new FairQueue<>(true);
    add(q, "a", "a0", "a1");
    add(q, "b", "b0");
    Set<String> capped = Set.of("a");
    assertThat(q.poll(e -> !capped.contains(e.owner), this::running).id).isEqualTo("b0");
    assertThat(q.poll(e -> !capped.contains(e.owner), this::running)).isNull();
    assertThat(q.size()).isEqualTo(2);
    assertThat(q.poll(e -> true, this::running).id).isEqualTo("a0");
  }

  @Test
  void positionsFollowTheOrderAndLeavingTheQueueMovesTheOthersUp() {
    FairQueue<String> q = new FairQueue<>(true);
    add(q, "a", "a0", "a1", "a2", "a3");
    add(q, "b", "b0", "b1");
    // order: a0 b0 a1 b1 a2 a3
    List<Integer> positions = new ArrayList<>();
    for (String id : List.of("a0", "b0", "a1", "b1", "a2", "a3")) {
      positions.add(q.position(id, this::running));
    }
    assertThat(positions).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(q.position("nope", this::running)).isEqualTo(-1);
    assertThat(q.remove("a1")).isEqualTo("a1");
    assertThat(q.remove("a1")).isNull();
    assertThat(q.position("b1", this::running)).isEqualTo(2);
    assertThat(q.waiting("a")).isEqualTo(3);
    q.remove("a0");
    assertThat(drain(q)).containsExactly("b0", "a2", "b1", "a3");
  }

  @Test
  void aProjectedPositionIsWhereANewEntryWouldStand() {
    FairQueue<String> q = new FairQueue<>(true);
    for (int i = 0; i < 10; i++) {
      add(q, "a", "a" + i);
    }
    // a newcomer stands behind the entry that has the current turn, before the rest of the flood
    assertThat(q.projectedPosition("v", 1, 0, this::running)).isEqualTo(1);
    // behind its own that join before it: the two keys alternate
    assertThat(q.projectedPosition("v", 1, 2, this::running)).isEqualTo(5);
    // the flooder's next stands behind its whole queue
    assertThat(q.projectedPosition("a", 1, 0, this::running)).isEqualTo(10);
    // while the flooder holds slots, the newcomer goes first
    running.put("a", 5);
    assertThat(q.projectedPosition("v", 1, 2, this::running)).isEqualTo(2);
  }

  @Test
  void forgottenOwnersDoNotPileUp() {
    FairQueue<String> q = new FairQueue<>(true);
    for (int i = 0; i < 1_000; i++) {
      q.add("x" + i, "key" + i, 1, "x" + i);
      q.poll(e -> true, this::running);
    }
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.owners()).isZero();
    // a busy queue forgets the owners whose turns are behind the one being served
    for (int i = 0; i < 10; i++) {
      add(q, "a", "a" + i);
    }
    add(q, "b", "b0");
    for (int i = 0; i < 4; i++) {
      q.poll(e -> true, o -> 0);
    }
    assertThat(q.waiting("b")).isZero();
    assertThat(q.owners()).isEqualTo(1);
  }

  @Test
  void aKeyHoldsItsShareOfTheSlotsAndAtLeastOne() {
    assertThat(FairQueue.slotsPerKey(16, 0.75)).isEqualTo(12);
    assertThat(FairQueue.slotsPerKey(3, 1.0)).isEqualTo(3);
    assertThat(FairQueue.slotsPerKey(4, 0.1)).isEqualTo(1);
    // a share that is a whole number of slots in decimal but not in binary is not rounded down
    assertThat(FairQueue.slotsPerKey(100, 0.29)).isEqualTo(29);
  }
}
