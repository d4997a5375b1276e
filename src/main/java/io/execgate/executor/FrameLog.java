package io.execgate.executor;

import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.vertx.core.eventbus.EventBus;

/**
 * The frames of one execution: numbered from 0 without gaps, stamped with the time since submit,
 * published on the execution's output address.
 */
final class FrameLog {

  private final EventBus eventBus;
  private final String address;
  private final long submittedAt;
  private long seq;

  FrameLog(EventBus eventBus, String address, long submittedAt) {
    this.eventBus = eventBus;
    this.address = address;
    this.submittedAt = submittedAt;
  }

  void accepted(String id) {
    publish(Frame.accepted(seq, elapsed(), id));
  }

  void status(ExecutionStatus status) {
    publish(Frame.status(seq, elapsed(), status));
  }

  /**
   * @param stage {@link Frame#COMPILE_STAGE} for the compile step's output, {@code null} for the run's
   */
  void output(boolean stderr, String stage, String text) {
    publish(Frame.output(seq, elapsed(), stderr, text).inStage(stage));
  }

  void truncated(boolean stderr, String stage, long keptBytes) {
    publish(Frame.truncated(seq, elapsed(), stderr, keptBytes).inStage(stage));
  }

  void exit(ExecutionResult result) {
    publish(Frame.exit(seq, elapsed(), result));
  }

  /**
   * @return milliseconds since the execution was submitted
   */
  long elapsed() {
    return Math.max(0, System.currentTimeMillis() - submittedAt);
  }

  private void publish(Frame frame) {
    seq++;
    eventBus.publish(address, frame);
  }
}
