package io.execgate.stream;

import io.execgate.model.DisplayOutput;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.TestResult;
import io.execgate.model.FramePage;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of one execution: numbered from 0 without gaps, stamped with the time since submit,
 * published on the execution's output address, and the newest of them retained (up to a byte
 * budget) so that late joiners and reconnecting clients can replay them from the replay address.
 * Lives on the executor's context, like its run; the replay address stays answerable after the run
 * until {@link #close()}.
 */
public final class FrameLog {

  /** Weight of a frame beyond its text. */
  static final int FRAME_OVERHEAD = Frame.OVERHEAD_BYTES;
  /** Most frame weight one replay page carries; the client asks again for more. */
  static final long PAGE_BYTES = 256 * 1024;

  private final EventBus eventBus;
  private final String address;
  private final String replayAddress;
  private final long submittedAt;
  private final long retainBytes;
  private final ArrayDeque<Frame> retained = new ArrayDeque<>();
  private long retainedBytes;
  private long seq;
  private boolean ended;
  private MessageConsumer<Long> replay;

  /**
   * @param retainBytes weight of the newest frames kept for replay; older ones are dropped
   */
  public FrameLog(EventBus eventBus, String address, String replayAddress, long submittedAt, long retainBytes) {
    this.eventBus = eventBus;
    this.address = address;
    this.replayAddress = replayAddress;
    this.submittedAt = submittedAt;
    this.retainBytes = retainBytes;
  }

  /**
   * Starts answering replay requests.
   */
  public Future<Void> open() {
    replay = eventBus.consumer(replayAddress, this::onReplay);
    return replay.completion();
  }

  /**
   * Stops answering replay requests and forgets the retained frames.
   */
  void close() {
    if (replay != null) {
      replay.unregister();
      replay = null;
    }
    retained.clear();
    retainedBytes = 0;
  }

  public void accepted(String id) {
    publish(Frame.accepted(seq, elapsed(), id));
  }

  public void status(ExecutionStatus status) {
    publish(Frame.status(seq, elapsed(), status));
  }

  /**
   * A status frame that tells something happened to the sandbox, with a code and a message.
   */
  public void status(ExecutionStatus status, String code, String message) {
    publish(new Frame(Frame.Type.STATUS, seq, elapsed(), null, status, null, null, null, null, code, message));
  }

  /**
   * @param stage {@link Frame#COMPILE_STAGE} for the compile step's output, {@code null} for the run's
   */
  public void output(boolean stderr, String stage, String text) {
    publish(Frame.output(seq, elapsed(), stderr, text).inStage(stage));
  }

  public void truncated(boolean stderr, String stage, long keptBytes) {
    publish(Frame.truncated(seq, elapsed(), stderr, keptBytes).inStage(stage));
  }

  /**
   * Output of test case {@code test} of a judged run.
   */
  public void testOutput(int test, boolean stderr, String text) {
    publish(Frame.output(seq, elapsed(), stderr, text).ofTest(test));
  }

  public void testTruncated(int test, boolean stderr, long keptBytes) {
    publish(Frame.truncated(seq, elapsed(), stderr, keptBytes).ofTest(test));
  }

  /**
   * The verdict of test case {@code test}, as soon as it is decided.
   */
  public void test(int test, TestResult result) {
    publish(Frame.test(seq, elapsed(), test, result));
  }

  /**
   * The compile step ended with {@code exitCode} (the run step starts next when it is 0).
   */
  public void compiled(int exitCode) {
    publish(Frame.compiled(seq, elapsed(), exitCode));
  }

  /**
   * One rich result of a stateful cell, before {@link #exit}.
   */
  public void display(DisplayOutput output) {
    publish(Frame.display(seq, elapsed(), output));
  }

  public void exit(ExecutionResult result) {
    ended = true;
    publish(Frame.exit(seq, elapsed(), result));
  }

  /**
   * @return milliseconds since the execution was submitted
   */
  public long elapsed() {
    return Math.max(0, System.currentTimeMillis() - submittedAt);
  }

  /**
   * @return the weight of the frames retained for replay
   */
  long retainedBytes() {
    return retainedBytes;
  }

  /**
   * @return a page of retained frames from {@code fromSeq} (from the oldest retained one when
   *   {@code fromSeq} was dropped; the page's {@code firstSeq} tells)
   */
  FramePage page(long fromSeq) {
    long first = seq - retained.size();
    List<Frame> frames = new ArrayList<>();
    long bytes = 0;
    long skip = Math.max(0, fromSeq - first);
    for (Frame f : retained) {
      if (skip > 0) {
        skip--;
        continue;
      }
      if (!frames.isEmpty() && bytes + weight(f) > PAGE_BYTES) {
        break;
      }
      frames.add(f);
      bytes += weight(f);
    }
    return new FramePage(frames, first, seq, ended);
  }

  static long weight(Frame f) {
    return f.weight();
  }

  private void onReplay(Message<Long> message) {
    Long from = message.body();
    message.reply(page(from == null ? 0 : Math.max(0, from)));
  }

  private void publish(Frame frame) {
    seq++;
    retained.add(frame);
    retainedBytes += weight(frame);
    while (retainedBytes > retainBytes && retained.size() > 1) {
      retainedBytes -= weight(retained.poll());
    }
    eventBus.publish(address, frame);
  }
}
