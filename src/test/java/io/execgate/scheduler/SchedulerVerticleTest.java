package io.execgate.scheduler;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.bus.Headers;
import io.execgate.config.ExecutorOptions;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.request.RequestResolver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler's admission, fair slot order and per-key share of the slots, against a real local
 * event bus and a fake executor (which accepts every run).
 */
class SchedulerVerticleTest {

  private Vertx vertx;
  private Addresses addresses;
  private final RequestResolver resolver = new RequestResolver(new GatewayOptions());

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    // 4 slots, a key holds at most 2 of them
    scheduler("t", 0.5);
  }

  /**
   * Deploys a scheduler of 4 slots under {@code prefix}; the test talks to it from now on.
   */
  private void scheduler(String prefix, double keyShare) throws Exception {
    addresses = new Addresses(prefix);
    vertx.eventBus().<ExecutionJob>consumer(addresses.executorRun(), m -> m.reply(null));
    ExecutorOptions options = new ExecutorOptions().setMaxConcurrent(4).setMaxQueued(20).setMaxKeyShare(keyShare);
    vertx.deployVerticle(new SchedulerVerticle(prefix, options, true)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private record Run(String id, int admittedAt, Future<Message<Object>> slot) {
  }

  /**
   * Admits an execution of {@code owner} (a key when {@code weight} > 0) and asks for its slot.
   */
  private Run run(String owner, int weight, int quota) throws Exception {
    ExecutionJob job = resolver.resolve(ExecutionRequest.script("true"), false);
    DeliveryOptions headers = new DeliveryOptions().addHeader(Headers.OWNER, owner);
    if (weight > 0) {
      headers.addHeader(Headers.OWNER_WEIGHT, String.valueOf(weight));
    }
    if (quota > 0) {
      headers.addHeader(Headers.OWNER_MAX, String.valueOf(quota));
    }
    Admission admission = vertx.eventBus().<Admission>request(addresses.schedulerAdmit(), job, headers)
      .await(10, TimeUnit.SECONDS).body();
    Future<Message<Object>> slot = vertx.eventBus().request(addresses.schedulerAcquire(), job.id());
    return new Run(job.id(), admission.position(), slot);
  }

  private void release(Run run) throws Exception {
    vertx.eventBus().request(addresses.schedulerRelease(), run.id()).await(10, TimeUnit.SECONDS);
  }

  private int position(Run run) throws Exception {
    return vertx.eventBus().<Integer>request(addresses.schedulerPosition(), run.id()).await(10, TimeUnit.SECONDS)
      .body();
  }

  private static List<Boolean> granted(List<Run> runs) throws InterruptedException {
    Thread.sleep(200);
    List<Boolean> granted = new ArrayList<>();
    for (Run r : runs) {
      granted.add(r.slot().succeeded());
    }
    return granted;
  }

  @Test
  void anExecutorAsksForTheSlotInItsAnswerAndGivesItBackByAnsweringTheGrant() throws Exception {
    // a second scheduler whose executor knows every image: it asks for the slot as it answers
    List<Message<Object>> grants = Collections.synchronizedList(new ArrayList<>());
    Addresses u = new Addresses("u");
    vertx.eventBus().<ExecutionJob>consumer(u.executorRun(), m -> m.replyAndRequest(Boolean.TRUE)
      .onSuccess(grants::add));
    vertx.deployVerticle(new SchedulerVerticle("u", new ExecutorOptions().setMaxConcurrent(4).setMaxQueued(20), true))
      .await(10, TimeUnit.SECONDS);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ExecutionJob job = resolver.resolve(ExecutionRequest.script("true"), false);
      ids.add(job.id());
      Admission admission = vertx.eventBus().<Admission>request(u.schedulerAdmit(), job)
        .await(10, TimeUnit.SECONDS).body();
      assertThat(admission.position()).isZero();
    }
    Thread.sleep(200);
    // 4 slots: the fifth waits, with no request of its own
    assertThat(grants).hasSize(4);
    assertThat(vertx.eventBus().<Integer>request(u.schedulerPosition(), ids.get(4)).await(10, TimeUnit.SECONDS).body())
      .as("first in the queue").isZero();
    // answering a grant gives its slot back: the fifth gets it, the first is forgotten
    grants.get(0).reply(null);
    long deadline = System.currentTimeMillis() + 5_000;
    while (grants.size() < 5 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertThat(grants).hasSize(5);
    assertThat(vertx.eventBus().<Integer>request(u.schedulerPosition(), ids.get(0)).await(10, TimeUnit.SECONDS).body())
      .isEqualTo(-1);
    // a release of a slot already given back changes nothing
    vertx.eventBus().request(u.schedulerRelease(), ids.get(0)).await(10, TimeUnit.SECONDS);
    ExecutionJob sixth = resolver.resolve(ExecutionRequest.script("true"), false);
    vertx.eventBus().request(u.schedulerAdmit(), sixth).await(10, TimeUnit.SECONDS);
    Thread.sleep(200);
    assertThat(grants).as("4 slots, all held").hasSize(5);
  }

  @Test
  void aFloodingKeyHoldsItsShareAndAnotherKeyStartsAtOnceThenTakesTurns() throws Exception {
    List<Run> attacker = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      attacker.add(run("attacker", 1, 0));
    }
    // its share: 2 of the 4 slots, though 2 are free
    assertThat(granted(attacker)).containsExactly(true, true, false, false, false, false);
    assertThat(attacker.get(0).admittedAt()).isZero();
    assertThat(position(attacker.get(2))).isZero();
    assertThat(position(attacker.get(5))).isEqualTo(3);

    Run v1 = run("victim", 1, 0);
    Run v2 = run("victim", 1, 0);
    Run v3 = run("victim", 1, 0);
    // the victim starts at once in the slots the attacker may not take
    assertThat(v1.admittedAt()).isZero();
    assertThat(granted(List.of(v1, v2, v3))).containsExactly(true, true, false);
    // its third waits in the fair order: behind the attacker's first waiting one, before the rest
    assertThat(position(v3)).isEqualTo(1);

    // the attacker's slot frees: it is below its share again, and its next one has the earlier turn
    release(attacker.get(0));
    assertThat(granted(attacker.subList(2, 6))).containsExactly(true, false, false, false);
    // a victim's slot frees: the attacker is at its share again, the victim's third takes it
    release(v1);
    assertThat(granted(List.of(v3))).containsExactly(true);
    assertThat(position(attacker.get(3))).isZero();
    assertThat(position(attacker.get(5))).isEqualTo(2);
  }

  private boolean heavy(Run run) throws Exception {
    return vertx.eventBus().<Boolean>request(addresses.schedulerHeavy(), run.id()).await(10, TimeUnit.SECONDS).body();
  }

  @Test
  void aKeyHoldingMoreThanHalfTheSlotsIsHeavyTheAnonymousCallerNever() throws Exception {
    scheduler("u", 1.0);
    Run a1 = run("attacker", 1, 0);
    Run a2 = run("attacker", 1, 0);
    Run v1 = run("victim", 1, 0);
    assertThat(granted(List.of(a1, a2, v1))).containsExactly(true, true, true);
    // 2 of 4 slots: half, not more
    assertThat(heavy(a1)).isFalse();
    Run a3 = run("attacker", 1, 0);
    assertThat(granted(List.of(a3))).containsExactly(true);
    assertThat(heavy(a1)).isTrue();
    assertThat(heavy(v1)).isFalse();
    for (Run r : List.of(a1, a2, a3, v1)) {
      release(r);
    }
    List<Run> anonymous = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      anonymous.add(run("anonymous", 0, 0));
    }
    assertThat(granted(anonymous)).containsOnly(true);
    assertThat(heavy(anonymous.get(0))).isFalse();
  }

  @Test
  void theAnonymousCallerOfAnOpenGatewayMayTakeEverySlotAndQueuesInArrivalOrder() throws Exception {
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      runs.add(run("anonymous", 0, 0));
    }
    assertThat(granted(runs)).containsExactly(true, true, true, true, false, false, false);
    assertThat(List.of(position(runs.get(4)), position(runs.get(5)), position(runs.get(6)))).containsExactly(0, 1, 2);
    release(runs.get(0));
    assertThat(granted(runs.subList(4, 7))).containsExactly(true, false, false);
  }

  @Test
  void aKeysQuotaCountsItsAdmittedExecutionsAndALeavingOneMovesTheOthersUp() throws Exception {
    Run a = run("k", 1, 3);
    Run b = run("k", 1, 3);
    Run c = run("k", 1, 3);
    Throwable refused = vertx.eventBus().request(addresses.schedulerAdmit(),
        resolver.resolve(ExecutionRequest.script("true"), false),
        new DeliveryOptions().addHeader(Headers.OWNER, "k").addHeader(Headers.OWNER_MAX, "3"))
      .transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(ReplyException.class).hasMessageContaining("quota");
    assertThat(granted(List.of(a, b, c))).containsExactly(true, true, false);
    // c leaves the queue (cancelled): its acquire fails, its place and quota come back
    release(c);
    assertThat(c.slot().failed()).isTrue();
    Run d = run("k", 1, 3);
    assertThat(granted(List.of(d))).containsExactly(false);
    assertThat(position(d)).isZero();
  }
}
