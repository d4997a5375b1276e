package io.execgate.stream;

import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.error.GatewayException;
import io.execgate.model.Control;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.FramePage;
import io.execgate.model.Usage;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's merge and back-pressure logic against a real local event bus, with a fake client
 * (sink) and a fake executor (replay and control consumers).
 */
class FrameRelayTest {

  private static final String ID = "00000000-0000-0000-0000-000000000001";

  private Vertx vertx;
  private Context ctx;
  private Addresses addresses;
  private final List<Frame> executorFrames = new CopyOnWriteArrayList<>();
  private final List<Control> controls = new CopyOnWriteArrayList<>();
  private volatile long firstRetained;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    ctx = vertx.getOrCreateContext();
    addresses = new Addresses("t");
    on(() -> {
      vertx.eventBus().<Control>consumer(addresses.control(ID), m -> controls.add(m.body()));
    });
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The executor: its frames, paged three at a time. */
  private void serveReplay() throws Exception {
    on(() -> vertx.eventBus().<Long>consumer(addresses.replay(ID), m -> {
      long from = Math.max(m.body(), firstRetained);
      List<Frame> page = executorFrames.stream().filter(f -> f.seq() >= from).limit(3).toList();
      boolean ended = executorFrames.stream().anyMatch(Frame::isTerminal);
      m.reply(new FramePage(page, firstRetained, executorFrames.size(), ended));
    }));
  }

  /** Publishes the next frame, as the executor would. */
  private Frame publish(int dataChars) throws Exception {
    Frame f = Frame.output(executorFrames.size(), 0, false, "x".repeat(dataChars));
    executorFrames.add(f);
    on(() -> vertx.eventBus().publish(addresses.output(ID), f));
    return f;
  }

  private void publishExit() throws Exception {
    Frame f = Frame.exit(executorFrames.size(), 0, result());
    executorFrames.add(f);
    on(() -> vertx.eventBus().publish(addresses.output(ID), f));
  }

  private static ExecutionResult result() {
    return new ExecutionResult(ID, ExecutionStatus.SUCCEEDED, 0, null, "out\n", "err\n", false, false, "img", "sh",
      5L, 1L, Usage.UNKNOWN, null, 1L);
  }

  private FrameRelay relay(FakeSink sink, FrameRelay.Mode mode, long fromSeq, long buffer, long maxBehind)
    throws Exception {
    ExecutionStore store = ExecutionStore.open(vertx, "t.executions", 60_000).await(5, TimeUnit.SECONDS);
    FrameRelay[] relay = new FrameRelay[1];
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    on(() -> {
      relay[0] = new FrameRelay(vertx, addresses, store, ID, fromSeq, mode, buffer, maxBehind, sink);
      relay[0].subscribe().onSuccess(v -> subscribed.complete(null));
    });
    subscribed.get(5, TimeUnit.SECONDS);
    return relay[0];
  }

  @Test
  void aWatcherGetsReplayAndLiveFramesMergedWithoutGapOrDuplicate() throws Exception {
    serveReplay();
    for (int i = 0; i < 8; i++) {
      publish(10);
    }
    FakeSink sink = new FakeSink();
    FrameRelay relay = relay(sink, FrameRelay.Mode.WATCHER, 0, 1 << 20, 1 << 20);
    // frames published while the replay pages are being read
    publish(10);
    publish(10);
    on(() -> relay.start(true));
    publish(10);
    publishExit();
    eventually(() -> sink.ended);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.range(0, 12).boxed().toList());
  }

  @Test
  void aWatcherResumesFromAGivenSeq() throws Exception {
    serveReplay();
    for (int i = 0; i < 6; i++) {
      publish(10);
    }
    FakeSink sink = new FakeSink();
    FrameRelay relay = relay(sink, FrameRelay.Mode.WATCHER, 4, 1 << 20, 1 << 20);
    on(() -> relay.start(true));
    publishExit();
    eventually(() -> sink.ended);
    assertThat(sink.seqs()).containsExactly(4L, 5L, 6L);
  }

  @Test
  void aSlowWatcherDropsItsOldestBufferedFramesAndCatchesUpFromTheRetention() throws Exception {
    serveReplay();
    FakeSink sink = new FakeSink();
    sink.full = true;
    FrameRelay relay = relay(sink, FrameRelay.Mode.WATCHER, 0, 1_000, 1 << 20);
    on(() -> relay.start(true));
    for (int i = 0; i < 50; i++) {
      publish(100);
    }
    publishExit();
    // nothing could be written, and at most the buffer's worth is held
    assertThat(sink.frames).isEmpty();
    sink.full = false;
    on(sink::drain);
    eventually(() -> sink.ended);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.range(0, 51).boxed().toList());
    assertThat(controls).isEmpty();
  }

  @Test
  void aWatcherFurtherBehindThanTheRetentionIsClosed() throws Exception {
    serveReplay();
    FakeSink sink = new FakeSink();
    sink.full = true;
    FrameRelay relay = relay(sink, FrameRelay.Mode.WATCHER, 0, 1_000, 2_000);
    on(() -> relay.start(true));
    for (int i = 0; i < 20; i++) {
      publish(100);
    }
    eventually(() -> sink.failure != null);
    assertThat(sink.closeCode).isEqualTo(CloseCodes.TOO_SLOW);
    assertThat(sink.failure.code().id()).isEqualTo("stream_too_slow");
    assertThat(sink.failure.getMessage()).contains("?fromSeq=0");
  }

  @Test
  void theOwnerPausesTheProgramInsteadOfDroppingAndResumesOnDrain() throws Exception {
    FakeSink sink = new FakeSink();
    FrameRelay relay = relay(sink, FrameRelay.Mode.OWNER, 0, 1_000, 1_000);
    on(() -> relay.start(false));
    publish(10);
    eventually(() -> sink.frames.size() == 1);
    sink.full = true;
    for (int i = 0; i < 30; i++) {
      publish(100);
    }
    eventually(() -> !controls.isEmpty());
    assertThat(controls).extracting(Control::type).containsExactly(Control.Type.PAUSE);
    sink.full = false;
    on(sink::drain);
    eventually(() -> controls.size() == 2);
    assertThat(controls).extracting(Control::type).containsExactly(Control.Type.PAUSE, Control.Type.RESUME);
    publishExit();
    eventually(() -> sink.ended);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.range(0, 32).boxed().toList());
  }

  @Test
  void framesNoLongerRetainedAreAClearError() throws Exception {
    serveReplay();
    for (int i = 0; i < 10; i++) {
      publish(10);
    }
    firstRetained = 5;
    FakeSink sink = new FakeSink();
    FrameRelay relay = relay(sink, FrameRelay.Mode.WATCHER, 2, 1 << 20, 1 << 20);
    on(() -> relay.start(true));
    eventually(() -> sink.failure != null);
    assertThat(sink.closeCode).isEqualTo(CloseCodes.REPLAY_UNAVAILABLE);
    assertThat(sink.failure.getMessage()).contains("seq 5");
    assertThat(sink.frames).isEmpty();
  }

  @Test
  void anEndedExecutionWithoutFrameLogIsRebuiltFromItsRecord() throws Exception {
    ExecutionStore store = ExecutionStore.open(vertx, "t.executions", 60_000).await(5, TimeUnit.SECONDS);
    store.put(result()).await(5, TimeUnit.SECONDS);
    FakeSink sink = new FakeSink();
    FrameRelay relay = relay(sink, FrameRelay.Mode.WATCHER, 0, 1 << 20, 1 << 20);
    on(() -> relay.start(true));
    eventually(() -> sink.ended);
    assertThat(sink.frames).extracting(f -> f.type().id()).containsExactly("accepted", "status", "stdout", "stderr",
      "exit");
    assertThat(sink.seqs()).containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  private void on(Runnable r) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      try {
        r.run();
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    done.get(5, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(5);
    }
  }

  /** A client whose socket can be made full. */
  private static final class FakeSink implements FrameSink {
    final List<Frame> frames = new CopyOnWriteArrayList<>();
    volatile boolean full;
    volatile boolean ended;
    volatile GatewayException failure;
    volatile int closeCode;
    private Handler<Void> drain;

    List<Long> seqs() {
      return new ArrayList<>(frames.stream().map(Frame::seq).toList());
    }

    void drain() {
      drain.handle(null);
    }

    @Override
    public void write(Frame frame) {
      assertThat(full).isFalse();
      frames.add(frame);
    }

    @Override
    public boolean writeQueueFull() {
      return full;
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
      drain = handler;
    }

    @Override
    public void end() {
      ended = true;
    }

    @Override
    public void fail(int closeCode, GatewayException error) {
      this.closeCode = closeCode;
      failure = error;
    }
  }
}
