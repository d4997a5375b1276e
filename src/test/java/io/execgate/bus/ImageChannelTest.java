package io.execgate.bus;

import io.execgate.model.ImageInfo;
import io.execgate.model.ImageList;
import io.execgate.model.ImageRequest;
import io.execgate.model.ImageState;
import io.execgate.model.ImageStats;
import io.execgate.model.Readiness;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image cache's protocol as {@link ImageChannel} speaks it: each operation's address, body, headers
 * and send timeout, answered by a real consumer on a real bus.
 */
class ImageChannelTest extends ChannelTestBase {

  private static final ImageInfo PRESENT = new ImageInfo("img", "img", ImageState.PRESENT, "sha256:1", 1L, 0L, 0,
    null, null);

  private ImageChannel images;

  @BeforeEach
  void setUp() {
    images = new ImageChannel(recorded.bus(), addresses);
  }

  @Test
  void usableWaitsUntilUsableForTheGivenDeadline() throws Exception {
    vertx.eventBus().<ImageRequest>consumer("t.image.ensure", m -> m.reply(PRESENT));
    assertThat(images.usable("img", 1234).await(5, TimeUnit.SECONDS)).isEqualTo(PRESENT);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.image.ensure");
    assertThat(s.body()).isEqualTo(new ImageRequest("img", true));
    assertThat(s.timeoutMs()).isEqualTo(1234);
  }

  @Test
  void usableForNamesTheExecutionAndItsPullingNotice() throws Exception {
    vertx.eventBus().<ImageRequest>consumer("t.image.ensure", m -> m.reply(PRESENT));
    assertThat(images.usableFor("e1", "img", 4321).await(5, TimeUnit.SECONDS)).isEqualTo(PRESENT);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.image.ensure");
    assertThat(s.body()).isEqualTo(new ImageRequest("img", true));
    assertThat(s.timeoutMs()).isEqualTo(4321);
    assertThat(s.header(Headers.EXECUTION)).isEqualTo("e1");
    assertThat(s.header(Headers.PULLING_NOTICE)).isEqualTo("t.exec.e1.pulling");
  }

  @Test
  void prePullDoesNotWaitForThePull() throws Exception {
    vertx.eventBus().<ImageRequest>consumer("t.image.ensure", m -> m.reply(PRESENT));
    assertThat(images.prePull("img").await(5, TimeUnit.SECONDS)).isEqualTo(PRESENT);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.body()).isEqualTo(new ImageRequest("img", false));
    assertThat(s.timeoutMs()).isEqualTo(ImageChannel.PRE_PULL_TIMEOUT_MS).isEqualTo(30_000);
  }

  @Test
  void listAsksTheCacheForItsImages() throws Exception {
    ImageList list = new ImageList(List.of(PRESENT), new ImageStats(1, 2, 3, 4, 5, 6, 7, 8));
    vertx.eventBus().consumer("t.image.list", m -> m.reply(list));
    assertThat(images.list().await(5, TimeUnit.SECONDS)).isEqualTo(list);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.image.list");
    assertThat(s.body()).isNull();
    assertThat(s.timeoutMs()).isEqualTo(ImageChannel.LIST_TIMEOUT_MS).isEqualTo(30_000);
  }

  @Test
  void readinessAsksTheCacheWithinTenSeconds() throws Exception {
    Readiness notReady = new Readiness(false, false, "no engine");
    vertx.eventBus().consumer("t.image.ready", m -> m.reply(notReady));
    assertThat(images.readiness().await(5, TimeUnit.SECONDS)).isEqualTo(notReady);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.image.ready");
    assertThat(s.body()).isNull();
    assertThat(s.timeoutMs()).isEqualTo(ImageChannel.READY_TIMEOUT_MS).isEqualTo(10_000);
  }

  @Test
  void thePullingNoticeReachesTheExecutionsListener() throws Exception {
    CompletableFuture<ImageInfo> heard = new CompletableFuture<>();
    MessageConsumer<ImageInfo> consumer = images.onPulling("e1", heard::complete);
    consumer.completion().await(5, TimeUnit.SECONDS);
    ImageInfo pulling = new ImageInfo("img", null, ImageState.PULLING, null, null, null, 0, null, null);
    images.pulling("t.exec.e1.pulling", pulling);
    assertThat(heard.get(5, TimeUnit.SECONDS)).isEqualTo(pulling);
    assertThat(recorded.only().method()).isEqualTo("send");
  }
}
