package io.execgate.image;

import io.execgate.GatewayOptions;
import io.execgate.docker.FakeContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One ask that waits until the image is usable still learns that a pull runs first: the image cache
 * calls the asker's pulling handler once per ask, before its answer, whether the ask started the pull
 * or joined one under way. No Docker: a scripted engine that never has the image.
 */
@ExtendWith(VertxExtension.class)
class ImageCachePullNoticeTest {

  @Test
  void everyWaitingAskHearsOfThePullBeforeItsAnswer(Vertx vertx) throws Exception {
    FakeContainerRuntime engine = new FakeContainerRuntime(vertx).delay("pull", 100);
    GatewayOptions options = new GatewayOptions();
    String image = options.getImages().getBaseImage();
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    Promise<List<Future<ImageInfo>>> asked = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      ImageCache cache = new ImageCache(vertx, engine, options, new ConfirmedImages());
      List<Future<ImageInfo>> answers = new ArrayList<>();
      for (String who : List.of("first", "second")) {
        answers.add(cache.ensure(image, true, info -> events.add(who + " " + info.state().id()))
          .andThen(ar -> events.add(who + " answered")));
      }
      asked.complete(answers);
    });
    List<Future<ImageInfo>> answers = asked.future().await(5, TimeUnit.SECONDS);
    Future.join(answers).otherwiseEmpty().await(5, TimeUnit.SECONDS);
    // the engine never has the image: the pull "succeeds" and the image is still missing
    for (Future<ImageInfo> answer : answers) {
      assertThat(answer.cause()).isInstanceOf(GatewayException.class);
      assertThat(((GatewayException) answer.cause()).code()).isEqualTo(ErrorCode.IMAGE_PULL_FAILED);
    }
    assertThat(events).containsExactly("first " + ImageState.PULLING.id(), "second " + ImageState.PULLING.id(),
      "first answered", "second answered");
    // two asks, one pull
    assertThat(engine.calls().stream().filter(c -> c.equals("pull")).count()).isEqualTo(1);
  }
}
