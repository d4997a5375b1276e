package io.execgate.cluster;

import io.execgate.model.WorkerAdvert;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerDirectoryTest {

  private static final String IMAGE = "execgate/busybox:1.35";

  private static WorkerAdvert advert(String node, long seq, int admitted, List<String> images) {
    return new WorkerAdvert(node, "i-" + node, seq, 0, 4, 8, Math.min(admitted, 4), admitted, List.of(), true, null,
      images, null, false);
  }

  private static List<String> order(WorkerDirectory d, String image, long now) {
    return d.candidates(image, Set.of(), now).stream().map(w -> w.advert.nodeId()).toList();
  }

  @Test
  void aWorkerWithAFreeSlotAndTheImageGoesFirstThenTheMostFreeSlots() {
    WorkerDirectory d = new WorkerDirectory(3_000, true);
    d.update(advert("busy", 1, 3, List.of(IMAGE)), 0);
    d.update(advert("idle", 1, 0, List.of(IMAGE)), 0);
    d.update(advert("noimage", 1, 0, List.of()), 0);
    d.update(advert("full", 1, 12, List.of(IMAGE)), 0);
    assertThat(order(d, IMAGE, 10)).containsExactly("idle", "busy", "noimage");
    // without the preference, free slots decide
    WorkerDirectory plain = new WorkerDirectory(3_000, false);
    plain.update(advert("busy", 1, 3, List.of(IMAGE)), 0);
    plain.update(advert("noimage", 1, 0, List.of()), 0);
    assertThat(order(plain, IMAGE, 10)).containsExactly("noimage", "busy");
  }

  @Test
  void whenNoSlotIsFreeTheShortestQueueGoesFirstAndTheImageDecidesBetweenEquals() {
    WorkerDirectory d = new WorkerDirectory(3_000, true);
    d.update(advert("a", 1, 9, List.of(IMAGE)), 0);
    d.update(advert("nolong", 1, 6, List.of()), 0);
    d.update(advert("b", 1, 6, List.of(IMAGE)), 0);
    d.update(advert("c", 1, 5, List.of()), 0);
    // a pull is paid once, a queue by every execution in it
    assertThat(order(d, IMAGE, 10)).containsExactly("c", "b", "nolong", "a");
  }

  @Test
  void aBurstSpreadsOverTwoWorkersEvenWhenOnlyOneIsKnownToHaveTheImage() {
    WorkerDirectory d = new WorkerDirectory(3_000, true);
    d.update(advert("has", 1, 0, List.of(IMAGE)), 0);
    d.update(advert("pulls", 1, 0, List.of()), 0);
    java.util.Map<String, Integer> sent = new java.util.HashMap<>();
    for (int i = 0; i < 24; i++) {
      WorkerDirectory.Worker w = d.candidates(IMAGE, Set.of(), 10).get(0);
      d.sending(w);
      sent.merge(w.advert.nodeId(), 1, Integer::sum);
    }
    // the slots of the one with the image first, then the other's, then the shorter queue each time
    assertThat(sent).containsEntry("has", 12).containsEntry("pulls", 12);
    assertThat(d.candidates(IMAGE, Set.of(), 10)).isEmpty();
  }

  @Test
  void whatThisGatewaySentCountsUntilAnAdvertIncludesIt() {
    WorkerDirectory d = new WorkerDirectory(3_000, true);
    d.update(advert("a", 5, 0, List.of(IMAGE)), 0);
    d.update(advert("b", 5, 0, List.of(IMAGE)), 0);
    WorkerDirectory.Worker first = d.candidates(IMAGE, Set.of(), 10).get(0);
    d.sending(first);
    // in flight: the other one is now freer
    WorkerDirectory.Worker second = d.candidates(IMAGE, Set.of(), 10).get(0);
    assertThat(second).isNotSameAs(first);
    d.sending(second);
    d.answered(first, 5L);
    d.answered(second, 5L);
    assertThat(first.load()).isEqualTo(1);
    // an advert built before the admission (seq 5) still does not count it; seq 6 does
    d.update(advert(first.advert.nodeId(), 5, 0, List.of(IMAGE)), 20);
    assertThat(first.load()).isEqualTo(1);
    d.update(advert(first.advert.nodeId(), 6, 1, List.of(IMAGE)), 20);
    assertThat(first.load()).isEqualTo(1);
    assertThat(first.unadvertised).isEmpty();
    // an admission the worker answered after a newer advert arrived is counted once
    d.answered(second, 4L);
    assertThat(second.load()).isEqualTo(1);
  }

  @Test
  void staleLeavingNotReadyFullAndExcludedWorkersGetNothing() {
    WorkerDirectory d = new WorkerDirectory(3_000, true);
    d.update(advert("stale", 1, 0, List.of(IMAGE)), 0);
    d.update(new WorkerAdvert("leaving", "i", 1, 0, 4, 8, 0, 0, List.of(), true, null, List.of(IMAGE), null, true),
      5_000);
    d.update(new WorkerAdvert("unready", "i", 1, 0, 4, 8, 0, 0, List.of(), false, "no engine", List.of(), null, false),
      5_000);
    d.update(advert("full", 1, 12, List.of(IMAGE)), 5_000);
    d.update(advert("excluded", 1, 0, List.of(IMAGE)), 5_000);
    d.update(advert("ok", 1, 0, List.of(IMAGE)), 5_000);
    assertThat(d.candidates(IMAGE, Set.of("excluded"), 5_100)).extracting(w -> w.advert.nodeId()).containsExactly("ok");
  }

  @Test
  void anOlderAdvertDoesNotOverwriteANewerOne() {
    WorkerDirectory d = new WorkerDirectory(3_000, true);
    assertThat(d.update(advert("a", 7, 2, List.of(IMAGE)), 0)).isTrue();
    assertThat(d.update(advert("a", 6, 0, List.of(IMAGE)), 10)).isFalse();
    assertThat(d.get("a").advert.admitted()).isEqualTo(2);
    assertThat(d.get("a").receivedAt).isZero();
  }
}
