package io.execgate.executor;

import io.execgate.docker.ContainerState;
import io.execgate.model.ExecutionStatus;
import io.execgate.stream.FrameLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * How an execution's program is killed: the first reason given becomes the final status, the kill
 * goes to the sandbox once, and a program that has no container (or no output) yet is ended at once.
 * In a stateful session's sandbox, the kill interrupts the cell and restarts the interpreter only when
 * the cell does not stop within the grace; the client is told before the result. Lives on the run's
 * context, like the run.
 */
final class RunKill {

  private static final Logger log = LoggerFactory.getLogger(RunKill.class);

  private final String executionId;
  /** The run's sandbox, once it has one. */
  private final Supplier<Sandbox> sandbox;
  private final Promise<Void> programEnded;
  private ExecutionStatus reason;
  private boolean issued;
  /** Completes once the kill went through: {@code true} when a stateful session's interpreter was restarted. */
  private Future<Boolean> killed;

  RunKill(String executionId, Supplier<Sandbox> sandbox, Promise<Void> programEnded) {
    this.executionId = executionId;
    this.sandbox = sandbox;
    this.programEnded = programEnded;
  }

  /**
   * Kills the container; the first reason given becomes the final status.
   *
   * @param reason the final status it causes, or {@code null} for a kill that sets none
   */
  void kill(ExecutionStatus reason) {
    if (this.reason == null && reason != null && !programEnded.future().isComplete()) {
      this.reason = reason;
    }
    Sandbox s = sandbox.get();
    String containerId = s == null ? null : s.containerId();
    if (containerId != null && !issued) {
      issued = true;
      if (s.output() != null) {
        // whatever a killed program wrote is read, even if its owner paused the output
        s.output().resume();
      }
      killed = s.killProgram();
      killed.onFailure(err -> log.atWarn().addKeyValue("execution", executionId).log("killing container {} failed: {}",
        containerId, err.getMessage()));
    }
    if (containerId == null || s.output() == null) {
      programEnded.tryComplete();
    }
  }

  /** @return the final status the first kill with a reason gave, or {@code null} */
  ExecutionStatus reason() {
    return reason;
  }

  /** @return whether a kill went to the sandbox */
  boolean issued() {
    return issued;
  }

  /**
   * @param verdict the engine's view of how the container ended
   * @return the verdict, once a stateful session's kill went through: when it restarted the interpreter,
   *   the client is told so first (the next cell of the session starts a fresh interpreter)
   */
  Future<ContainerState> noticed(Future<ContainerState> verdict, FrameLog frames) {
    Sandbox s = sandbox.get();
    if (killed == null || !s.session()) {
      return verdict;
    }
    return verdict.compose(state -> killed.otherwise(false).map(restarted -> {
      if (restarted) {
        frames.status(ExecutionStatus.RUNNING, "interpreter_restarted", "the cell did not stop on KeyboardInterrupt "
          + "within the grace: the Python interpreter was restarted, and the next cell starts with a fresh state");
      }
      return state;
    }));
  }
}
