package io.execgate.scheduler;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.bus.Headers;
import io.execgate.bus.SchedulerChannel;
import io.execgate.config.ExecutorOptions;
import io.execgate.error.ErrorCode;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.request.RequestResolver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reservations for batches: a batch's places are held all or none against the node's places and the
 * key's quota, and the places held count for every other admission.
 */
class SchedulerReservationTest {

  private Vertx vertx;
  private final Addresses addresses = new Addresses("r");
  private final RequestResolver resolver = new RequestResolver(new GatewayOptions());

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    vertx.eventBus().<ExecutionJob>consumer(addresses.executorRun(), m -> m.reply(null));
    // 24 places in all
    ExecutorOptions options = new ExecutorOptions().setMaxConcurrent(4).setMaxQueued(20);
    vertx.deployVerticle(new SchedulerVerticle("r", options, true)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static DeliveryOptions key(String owner, int quota) {
    return new DeliveryOptions().addHeader(Headers.OWNER, owner).addHeader(Headers.OWNER_MAX, String.valueOf(quota))
      .addHeader(Headers.OWNER_WEIGHT, "1");
  }

  private Future<String> reserve(int count, DeliveryOptions owner) {
    return new SchedulerChannel(vertx.eventBus(), addresses).reserve(count, owner);
  }

  private Future<Admission> admit(DeliveryOptions owner, String reservation) {
    ExecutionJob job = resolver.resolve(ExecutionRequest.script("true"), false);
    if (reservation != null) {
      owner.addHeader(Headers.RESERVATION, reservation);
    }
    return new SchedulerChannel(vertx.eventBus(), addresses).admit(job, owner);
  }

  private static int code(Future<?> f) {
    try {
      f.await(10, TimeUnit.SECONDS);
      return -1;
    } catch (ReplyException e) {
      return e.failureCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aBatchOverTheKeysQuotaIsRefusedWholeAndAFittingOneIsHeldForIt() throws Exception {
    assertThat(code(reserve(11, key("a", 10)))).isEqualTo(ErrorCode.QUOTA_EXCEEDED.number());
    String r = reserve(10, key("a", 10)).await(10, TimeUnit.SECONDS);
    // the places held count: the key's own plain submit no longer fits its quota
    assertThat(code(admit(key("a", 10), null))).isEqualTo(ErrorCode.QUOTA_EXCEEDED.number());
    for (int i = 0; i < 10; i++) {
      admit(key("a", 10), r).await(10, TimeUnit.SECONDS);
    }
    // used up: an eleventh admit naming it is checked as any other
    assertThat(code(admit(key("a", 10), r))).isEqualTo(ErrorCode.QUOTA_EXCEEDED.number());
  }

  @Test
  void aBatchOverTheNodesPlacesIsRefusedWholeAndAReservationIsTheOwnersOnly() throws Exception {
    String r = reserve(10, key("a", 100)).await(10, TimeUnit.SECONDS);
    assertThat(code(reserve(15, key("b", 100)))).isEqualTo(ErrorCode.CAPACITY_EXHAUSTED.number());
    reserve(14, key("b", 100)).await(10, TimeUnit.SECONDS);
    // every place is held now: another key's submit, even naming a's reservation, is refused
    assertThat(code(admit(key("c", 100), r))).isEqualTo(ErrorCode.CAPACITY_EXHAUSTED.number());
    assertThat(code(admit(key("c", 100), null))).isEqualTo(ErrorCode.CAPACITY_EXHAUSTED.number());
    admit(key("a", 100), r).await(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> reserve(0, key("a", 100)).await(10, TimeUnit.SECONDS))
      .isInstanceOf(ReplyException.class);
  }
}
