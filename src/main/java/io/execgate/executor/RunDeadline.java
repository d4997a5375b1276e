package io.execgate.executor;

import io.vertx.core.Vertx;

/**
 * A run's deadline: the compile step's, then the run step's. The run step's is armed once, when
 * the run step starts; nothing the program prints re-arms it. Lives on the execution's context.
 */
final class RunDeadline {

  private final Vertx vertx;
  private final Runnable expired;
  private long timer = -1;
  private boolean runArmed;

  /**
   * @param expired runs on the execution's context when an armed deadline passes
   */
  RunDeadline(Vertx vertx, Runnable expired) {
    this.vertx = vertx;
    this.expired = expired;
  }

  /**
   * Arms the run step's deadline, unless it was already.
   */
  void armRun(long ms) {
    if (!runArmed) {
      runArmed = true;
      arm(ms);
    }
  }

  /**
   * Arms a deadline {@code ms} from now, replacing the one armed.
   */
  void arm(long ms) {
    cancel();
    timer = vertx.setTimer(ms, t -> {
      timer = -1;
      expired.run();
    });
  }

  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
