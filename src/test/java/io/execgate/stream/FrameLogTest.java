package io.execgate.stream;

import io.execgate.bus.Codecs;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.FramePage;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class FrameLogTest {

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private FrameLog log(long retainBytes) {
    return new FrameLog(vertx.eventBus(), "t.out", "t.replay", System.currentTimeMillis(), retainBytes);
  }

  @Test
  void retainsEveryFrameWithinTheBudgetAndPagesFromAnySeq() {
    FrameLog log = log(1 << 20);
    log.accepted("id");
    log.status(ExecutionStatus.RUNNING);
    log.output(false, null, "a");
    log.output(true, null, "b");
    FramePage all = log.page(0);
    assertThat(all.frames()).extracting(Frame::seq).containsExactly(0L, 1L, 2L, 3L);
    assertThat(all.firstSeq()).isZero();
    assertThat(all.nextSeq()).isEqualTo(4);
    assertThat(all.ended()).isFalse();
    assertThat(log.page(2).frames()).extracting(Frame::data).containsExactly("a", "b");
    assertThat(log.page(4).frames()).isEmpty();
    assertThat(log.page(9).frames()).isEmpty();
  }

  @Test
  void dropsTheOldestFramesBeyondTheBudget() {
    FrameLog log = log(4 * (FrameLog.FRAME_OVERHEAD + 100));
    for (int i = 0; i < 10; i++) {
      log.output(false, null, String.valueOf(i).repeat(100));
    }
    assertThat(log.retainedBytes()).isLessThanOrEqualTo(4 * (FrameLog.FRAME_OVERHEAD + 100));
    FramePage page = log.page(0);
    assertThat(page.firstSeq()).isEqualTo(6);
    assertThat(page.frames()).extracting(Frame::seq).containsExactly(6L, 7L, 8L, 9L);
    assertThat(page.nextSeq()).isEqualTo(10);
  }

  @Test
  void pagesAreBoundedButNeverEmptyWhileFramesRemain() {
    FrameLog log = log(16L << 20);
    String big = "x".repeat((int) FrameLog.PAGE_BYTES);
    log.output(false, null, big);
    log.output(false, null, big);
    log.output(false, null, "small");
    assertThat(log.page(0).frames()).extracting(Frame::seq).containsExactly(0L);
    assertThat(log.page(1).frames()).extracting(Frame::seq).containsExactly(1L);
    assertThat(log.page(2).frames()).extracting(Frame::seq).containsExactly(2L);
  }

  @Test
  void answersReplayRequestsOnItsAddressUntilClosed() throws Exception {
    FrameLog log = log(1 << 20);
    log.open().await(5, TimeUnit.SECONDS);
    log.accepted("id");
    log.output(false, null, "hi");
    FramePage page = vertx.eventBus().<FramePage>request("t.replay", 1L).await(5, TimeUnit.SECONDS).body();
    assertThat(page.frames()).extracting(Frame::data).containsExactly("hi");
    log.close();
    assertThat(catchThrowable(() -> vertx.eventBus().request("t.replay", 0L).await(5, TimeUnit.SECONDS)))
      .isInstanceOf(ReplyException.class)
      .satisfies(e -> assertThat(((ReplyException) e).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }
}
