package io.execgate.stream;

import io.execgate.bus.Addresses;
import io.execgate.bus.ExecutionChannel;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.Control;
import io.execgate.model.Frame;
import io.execgate.model.FramePage;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.ArrayDeque;

/**
 * Relays one execution's frames to one client, in order, without gap or duplicate, from a given
 * seq. It subscribes to the output address first, then pages the older frames from the executor's
 * replay address, and merges both by seq. The event bus has no flow control, so live frames that the
 * client cannot take yet wait in a bounded buffer. A watcher whose buffer is full drops its oldest
 * buffered frames and later reads them again from the executor's retention; once it is further
 * behind than that retention it can never catch up and is closed ({@link CloseCodes#TOO_SLOW}).
 * The owner of the execution pauses the program's output instead, so no byte is ever dropped.
 * Lives on the connection's event loop.
 */
public final class FrameRelay {

  /** Who reads: a watcher is closed when it falls behind, the owner pauses the program. */
  public enum Mode {
    WATCHER, OWNER
  }

  /** The owner's buffer may exceed the watcher bound by this factor (frames in flight when it paused) before it is closed. */
  private static final int OWNER_SLACK = 8;

  private final Vertx vertx;
  private final Addresses addresses;
  private final ExecutionStore store;
  private final String id;
  private final Mode mode;
  private final long bufferBytes;
  private final long maxBehindBytes;
  private final FrameSink sink;
  private final ArrayDeque<Frame> live = new ArrayDeque<>();
  private final ArrayDeque<Frame> page = new ArrayDeque<>();
  private MessageConsumer<Frame> consumer;
  private long next;
  private long liveBytes;
  /** Weight of the frames received live and not yet written: how far the client is behind. */
  private long behindBytes;
  private long firstLiveSeq = -1;
  /** Frames below this seq were published before the last page was built: they come from replay. */
  private long replayUntil;
  private boolean replayWanted;
  private boolean replayInFlight;
  private boolean paused;
  private boolean done;
  /** The stream rebuilt from the record, once no frame log answers. */
  private RecordFrames records;
  private long lastT;

  /**
   * @param bufferBytes    live frames buffered for the client (a watcher drops the oldest beyond it)
   * @param maxBehindBytes how far behind the live output a watcher may fall (the executor's
   *                       retention) before it is closed
   */
  public FrameRelay(Vertx vertx, Addresses addresses, ExecutionStore store, String id, long fromSeq, Mode mode,
             long bufferBytes, long maxBehindBytes, FrameSink sink) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.store = store;
    this.id = id;
    this.next = fromSeq;
    this.mode = mode;
    this.bufferBytes = bufferBytes;
    this.maxBehindBytes = maxBehindBytes;
    this.sink = sink;
  }

  /**
   * Subscribes to the execution's output; frames published from now on are not missed.
   */
  public Future<Void> subscribe() {
    consumer = vertx.eventBus().consumer(addresses.output(id), msg -> onLive(msg.body()));
    sink.drainHandler(v -> pump());
    return consumer.completion();
  }

  /**
   * Starts relaying.
   *
   * @param replay whether frames may have been published before {@link #subscribe()} completed
   *               (a watcher); the owner subscribes before it submits and needs no replay
   */
  public void start(boolean replay) {
    replayWanted = replay;
    pump();
  }

  /**
   * Stops relaying (the client left); idempotent.
   */
  public void stop() {
    done = true;
    live.clear();
    page.clear();
    if (consumer != null) {
      consumer.unregister();
      consumer = null;
    }
  }

  public boolean isDone() {
    return done;
  }

  /**
   * @return milliseconds since submit of the last frame relayed, for frames the connection makes
   */
  public long lastT() {
    return lastT;
  }

  private void onLive(Frame frame) {
    if (done || frame.seq() < next) {
      return;
    }
    if (firstLiveSeq < 0) {
      firstLiveSeq = frame.seq();
    }
    live.add(frame);
    liveBytes += weight(frame);
    behindBytes += weight(frame);
    pump();
    if (done || live.isEmpty()) {
      return;
    }
    if (mode == Mode.OWNER) {
      if (!paused) {
        paused = true;
        control(Control.pause());
      }
      if (liveBytes > bufferBytes * OWNER_SLACK) {
        tooSlow(bufferBytes * OWNER_SLACK);
      }
      return;
    }
    if (behindBytes > maxBehindBytes) {
      tooSlow(maxBehindBytes);
      return;
    }
    while (liveBytes > bufferBytes && live.size() > 1) {
      // still retained by the executor: read again from there when the client catches up
      liveBytes -= weight(live.poll());
    }
  }

  private void tooSlow(long bound) {
    fail(CloseCodes.TOO_SLOW, new GatewayException(ErrorCode.STREAM_TOO_SLOW, "the client fell more than " + bound
      + " bytes behind the execution's output and was disconnected; reconnect with ?fromSeq=" + next));
  }

  private void pump() {
    while (!done && !sink.writeQueueFull()) {
      Frame f = nextFrame();
      if (f == null) {
        break;
      }
      next++;
      lastT = f.t();
      if (firstLiveSeq >= 0 && f.seq() >= firstLiveSeq) {
        behindBytes -= weight(f);
      }
      sink.write(f);
      if (f.isTerminal()) {
        finish();
        return;
      }
    }
    if (done) {
      return;
    }
    if (paused && live.isEmpty() && !sink.writeQueueFull()) {
      paused = false;
      control(Control.resume());
    }
    boolean gap = replayWanted || next < replayUntil || (!live.isEmpty() && live.peek().seq() > next);
    if (gap && page.isEmpty() && !replayInFlight && !sink.writeQueueFull()) {
      requestPage();
    }
  }

  private Frame nextFrame() {
    while (!page.isEmpty() && page.peek().seq() < next) {
      page.poll();
    }
    if (!page.isEmpty() && page.peek().seq() == next) {
      return page.poll();
    }
    while (!live.isEmpty() && live.peek().seq() < next) {
      liveBytes -= weight(live.poll());
    }
    if (!live.isEmpty() && live.peek().seq() == next) {
      Frame f = live.poll();
      liveBytes -= weight(f);
      return f;
    }
    return null;
  }

  private void requestPage() {
    replayInFlight = true;
    replayWanted = false;
    if (records != null) {
      records.page(next).onComplete(ar -> {
        replayInFlight = false;
        if (done) {
          return;
        }
        if (ar.failed()) {
          fail(CloseCodes.STREAM_FAILED, Replies.toGatewayException(ar.cause()));
        } else {
          page.addAll(ar.result());
          pump();
        }
      });
      return;
    }
    new ExecutionChannel(vertx.eventBus(), addresses).replay(id, next)
      .onSuccess(this::onPage)
      .onFailure(this::onReplayFailure);
  }

  private void onPage(FramePage p) {
    replayInFlight = false;
    if (done) {
      return;
    }
    if (next < p.firstSeq()) {
      fail(CloseCodes.REPLAY_UNAVAILABLE, new GatewayException(ErrorCode.REPLAY_UNAVAILABLE, "frames before seq "
        + p.firstSeq() + " are no longer retained (executor.streamRetainBytes); resume from seq " + p.firstSeq()
        + " or read the result at /v1/executions/" + id));
      return;
    }
    if (next > p.nextSeq()) {
      fail(CloseCodes.REPLAY_UNAVAILABLE, new GatewayException(ErrorCode.REPLAY_UNAVAILABLE, "seq " + next
        + (p.ended() ? " does not exist: the execution ended with seq " + (p.nextSeq() - 1)
        : " does not exist yet: the execution has published " + p.nextSeq() + " frames")));
      return;
    }
    if (p.ended() && next == p.nextSeq()) {
      // the client already has every frame, exit included
      finish();
      return;
    }
    page.addAll(p.frames());
    replayUntil = Math.max(replayUntil, p.nextSeq());
    pump();
  }

  private void onReplayFailure(Throwable err) {
    replayInFlight = false;
    if (done) {
      return;
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      fail(CloseCodes.STREAM_FAILED, Replies.toGatewayException(err));
      return;
    }
    // no frame log answers (its grace period passed, or its cluster worker is gone or unreachable):
    // rebuild the stream from the stored record
    store.record(id).onComplete(ar -> {
      if (done) {
        return;
      }
      if (ar.failed() || ar.result() == null) {
        fail(CloseCodes.STREAM_FAILED, new GatewayException(ErrorCode.NOT_FOUND, "no execution " + id
          + " (unknown, or its record expired)"));
      } else if (!ar.result().result().status().isFinal()) {
        fail(CloseCodes.STREAM_FAILED, new GatewayException(ErrorCode.DOCKER_UNAVAILABLE,
          "the executor of execution " + id + " does not answer"));
      } else if (next != 0) {
        fail(CloseCodes.REPLAY_UNAVAILABLE, new GatewayException(ErrorCode.REPLAY_UNAVAILABLE, "the frames of execution "
          + id + " are no longer retained; replay from seq 0 (rebuilt from the record) or read /v1/executions/" + id));
      } else {
        records = new RecordFrames(store, ar.result());
        replayUntil = records.size();
        pump();
      }
    });
  }

  private void control(Control c) {
    new ExecutionChannel(vertx.eventBus(), addresses).tell(id, c);
  }

  private void finish() {
    stop();
    sink.end();
  }

  private void fail(int closeCode, GatewayException error) {
    if (!done) {
      stop();
      sink.fail(closeCode, error);
    }
  }

  private static long weight(Frame f) {
    return f.weight();
  }
}
