package io.execgate.bus;

import io.execgate.model.Control;
import io.execgate.model.ExecutionResult;
import io.execgate.model.Frame;
import io.execgate.model.FramePage;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One execution's protocol as {@link ExecutionChannel} speaks it: each operation's address, body and
 * send timeout, answered by a real consumer on a real bus.
 */
class ExecutionChannelTest extends ChannelTestBase {

  private ExecutionChannel executions;
  private final ExecutionResult result = ExecutionResult.submitted(job("e1"));

  @BeforeEach
  void setUp() {
    executions = new ExecutionChannel(recorded.bus(), addresses);
  }

  @Test
  void cancelAsksTheRunForItsFinalResult() throws Exception {
    vertx.eventBus().<Control>consumer("t.exec.e1.control", m -> m.reply(m.body().type() == Control.Type.CANCEL
      ? result : null));
    assertThat(executions.cancel("e1").await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(result);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.exec.e1.control");
    assertThat(s.body()).isEqualTo(Control.cancel());
    assertThat(s.timeoutMs()).isEqualTo(ExecutionChannel.CANCEL_TIMEOUT_MS).isEqualTo(30_000);
  }

  @Test
  void cancellingAnExecutionNoRunHasFailsWithNoHandlers() throws Exception {
    // the caller tells an ended execution from this failure
    assertThatThrownBy(() -> executions.cancel("gone").await(WAIT_S, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }

  @Test
  void stateAsksTheRunWithinTwoSeconds() throws Exception {
    vertx.eventBus().<Control>consumer("t.exec.e1.control", m -> m.reply(m.body().type() == Control.Type.STATE
      ? result : null));
    assertThat(executions.state("e1").await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(result);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.body()).isEqualTo(Control.state());
    assertThat(s.timeoutMs()).isEqualTo(ExecutionChannel.STATE_TIMEOUT_MS).isEqualTo(2_000);
  }

  @Test
  void controlCarriesTheClientsControlAndItsRefusal() throws Exception {
    vertx.eventBus().<Control>consumer("t.exec.e1.control", m -> {
      if (m.body().type() == Control.Type.PAUSE) {
        m.reply(null);
      } else {
        m.fail(400, "refused");
      }
    });
    executions.control("e1", Control.pause()).await(WAIT_S, TimeUnit.SECONDS);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.method()).isEqualTo("request");
    assertThat(s.address()).isEqualTo("t.exec.e1.control");
    assertThat(s.body()).isEqualTo(Control.pause());
    assertThat(s.timeoutMs()).isEqualTo(ExecutionChannel.CONTROL_TIMEOUT_MS).isEqualTo(30_000);
    assertThatThrownBy(() -> executions.control("e1", Control.resume()).await(WAIT_S, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
  }

  @Test
  void oneWayControlsReachTheRun() throws Exception {
    CompletableFuture<Control> first = new CompletableFuture<>();
    CompletableFuture<Control> second = new CompletableFuture<>();
    vertx.eventBus().<Control>consumer("t.exec.e1.control", m -> {
      if (!first.complete(m.body())) {
        second.complete(m.body());
      }
    });
    executions.cancelAndForget("e1");
    assertThat(first.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(Control.cancel());
    executions.tell("e1", Control.resume());
    assertThat(second.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(Control.resume());
  }

  @Test
  void replayAsksTheFrameLogForAPageFromASeq() throws Exception {
    FramePage page = new FramePage(List.of(Frame.accepted(3, 0, "e1")), 3, 4, false);
    vertx.eventBus().<Long>consumer("t.exec.e1.replay", m -> m.reply(m.body() == 3L ? page : null));
    assertThat(executions.replay("e1", 3).await(WAIT_S, TimeUnit.SECONDS)).isEqualTo(page);
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.exec.e1.replay");
    assertThat(s.body()).isEqualTo(3L);
    assertThat(s.timeoutMs()).isEqualTo(ExecutionChannel.REPLAY_TIMEOUT_MS).isEqualTo(10_000);
  }
}
