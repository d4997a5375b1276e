package io.execgate.executor;

import io.execgate.docker.AttachedOutput;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.executor.launcher.ProgramStdin;
import io.execgate.executor.launcher.SignalQueue;
import io.execgate.executor.launcher.Signals;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What clients may do to a running execution, through its control address: cancel it, write to and
 * close its stdin, signal its program, pause and resume its output. Lives on the execution's context,
 * as its run does.
 */
final class RunControl {

  /** What the control acts on: the run it belongs to. */
  interface Target {

    /** @return the run's record as it stands */
    ExecutionResult record();

    /** Cancels the run: the container, if any, is killed, and a run waiting for its slot leaves the queue. */
    void cancel();

    /** Kills the container as SIGKILL would; the program's end is its own, not a gateway verdict. */
    void kill();

    /** @return whether the gateway already killed the container */
    boolean killIssued();

    /** @return the container's id, or {@code null} while there is none */
    String containerId();

    /** @return whether the run's output is attached and read (the program may run) */
    boolean attached();

    /** @return whether the program ended (both end records, or the stream ended) */
    boolean programEnded();

    /** @return the container's output, once attached */
    AttachedOutput output();
  }

  private final ExecutorContext ec;
  private final ExecutionJob job;
  private final Target run;
  private final ProgramStdin stdin;
  private final SignalQueue signals = new SignalQueue(this::deliverSignal);
  private final List<Message<?>> cancelWaiters = new ArrayList<>();
  private MessageConsumer<Control> consumer;
  private boolean outputPaused;

  RunControl(ExecutorContext ec, Context context, ExecutionJob job, Target run) {
    this.ec = ec;
    this.job = job;
    this.run = run;
    this.stdin = new ProgramStdin(ec.vertx(), context, job.interactive(), job.tests() != null);
  }

  /**
   * Registers the control address.
   */
  Future<Void> register() {
    consumer = ec.vertx().eventBus().consumer(ec.addresses().control(job.id()), this::onControl);
    return consumer.completion();
  }

  /**
   * @return what the program reads: its payload, then the client's input
   */
  ProgramStdin stdin() {
    return stdin;
  }

  /**
   * @return whether the client paused the output (a warm container's stream stays paused then)
   */
  boolean outputPaused() {
    return outputPaused;
  }

  /**
   * Answers the clients that asked to cancel with the final result.
   */
  void finished(ExecutionResult result) {
    cancelWaiters.forEach(m -> m.reply(result));
    cancelWaiters.clear();
  }

  /**
   * Stops taking controls: signals still waiting fail, the address is unregistered.
   */
  Future<Void> close() {
    signals.close();
    return consumer != null ? consumer.unregister() : Future.succeededFuture();
  }

  private void onControl(Message<Control> message) {
    Control c = message.body();
    switch (c.type()) {
      case CANCEL -> {
        cancelWaiters.add(message);
        if (run.record().status().isFinal()) {
          cancelWaiters.remove(message);
          message.reply(run.record());
          return;
        }
        run.cancel();
      }
      case STATE -> message.reply(run.record());
      case STDIN -> {
        try {
          stdin.write(c.data() == null ? new byte[0] : c.data().getBytes(StandardCharsets.UTF_8),
            run.record().status().isFinal());
          message.reply(null);
        } catch (GatewayException e) {
          Replies.fail(message, e);
        }
      }
      case STDIN_CLOSE -> {
        stdin.close();
        message.reply(null);
      }
      case SIGNAL -> signal(message, c.signal());
      case PAUSE, RESUME -> {
        outputPaused = c.type() == Control.Type.PAUSE && !run.killIssued();
        AttachedOutput output = run.output();
        if (output != null) {
          if (outputPaused) {
            output.pause();
          } else {
            output.resume();
          }
        }
        message.reply(null);
      }
      default -> message.fail(ErrorCode.INVALID_REQUEST.number(), "unknown control " + c.type());
    }
  }

  private void signal(Message<Control> message, String signal) {
    if (!Signals.SENDABLE.contains(signal)) {
      message.fail(ErrorCode.INVALID_REQUEST.number(), "signal must be one of " + Signals.SENDABLE);
    } else if (job.tests() != null) {
      // a signal would reach the launcher's watchdogs too; a judged run is stopped by cancelling it
      message.fail(ErrorCode.INVALID_REQUEST.number(), "an execution with tests takes no signals; cancel it instead");
    } else if (run.containerId() == null || !run.attached() || run.record().status().isFinal()) {
      // not yet attached, or over: there is no program to signal (once attached, the engine says whether it runs)
      message.fail(ErrorCode.INVALID_REQUEST.number(), "the program is not running");
    } else if (signal.equals("SIGKILL")) {
      run.kill();
      message.reply(null);
    } else {
      // one engine call in flight per execution; a repeat of a signal still waiting is merged into it
      signals.send(signal.substring(3))
        .onSuccess(v -> message.reply(null))
        .onFailure(err -> Replies.fail(message, err));
    }
  }

  private Future<Void> deliverSignal(String signal) {
    if (run.containerId() == null || run.programEnded()) {
      return Future.failedFuture(new GatewayException(ErrorCode.INVALID_REQUEST, "the program is not running"));
    }
    return ec.runtime().signal(run.containerId(), ec.options().getExecutor().getUid(), signal);
  }
}
