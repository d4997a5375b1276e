package io.execgate.stream;

import io.execgate.model.Frame;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FrameStreamTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aPauseFromTheHandlerStopsDeliveryAtOnceWhenFramesArriveOnADuplicatedContext() throws Exception {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    FrameStream stream = new FrameStream(context, "x", () -> { });
    List<Frame> delivered = new ArrayList<>();
    CompletableFuture<Integer> seen = new CompletableFuture<>();
    // the relay writes from event-bus handlers, which run on duplicates of the stream's context
    context.duplicate().runOnContext(v -> {
      stream.pause();
      stream.handler(frame -> {
        delivered.add(frame);
        stream.pause();
      });
      stream.resume();
      for (int seq = 0; seq < 3; seq++) {
        stream.write(Frame.output(seq, seq, false, "line " + seq + "\n"));
      }
      seen.complete(delivered.size());
    });
    assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(stream.writeQueueFull()).isTrue();
  }
}
