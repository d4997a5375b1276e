package io.execgate.bus;

import io.execgate.model.ExecutionJob;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The executors' protocol as {@link ExecutorChannel} speaks it: each operation's address, body,
 * headers and send timeout, answered by a real consumer on a real bus.
 */
class ExecutorChannelTest extends ChannelTestBase {

  private ExecutorChannel executors;

  @BeforeEach
  void setUp() {
    executors = new ExecutorChannel(recorded.bus(), addresses);
  }

  @Test
  void runHandsTheJobToAnExecutorWithinThirtySeconds() throws Exception {
    ExecutionJob job = job("e1");
    vertx.eventBus().<ExecutionJob>consumer("t.executor.run", m -> m.reply(null));
    Message<Object> answer = executors.run(job).await(WAIT_S, TimeUnit.SECONDS);
    assertThat(answer.body()).isNull();
    RecordingBus.Sent s = recorded.only();
    assertThat(s.address()).isEqualTo("t.executor.run");
    assertThat(s.body()).isEqualTo(job);
    assertThat(s.timeoutMs()).isEqualTo(ExecutorChannel.RUN_TIMEOUT_MS).isEqualTo(30_000);
  }

  @Test
  void anAnswerOfTrueIsItselfTheRequestForTheSlot() throws Exception {
    CompletableFuture<Object> slotAnswer = new CompletableFuture<>();
    vertx.eventBus().<ExecutionJob>consumer("t.executor.run", m -> m.replyAndRequest(Boolean.TRUE)
      .onSuccess(grant -> slotAnswer.complete(grant.body())));
    Message<Object> answer = executors.run(job("e1")).await(WAIT_S, TimeUnit.SECONDS);
    assertThat(answer.body()).isEqualTo(Boolean.TRUE);
    answer.reply(0);
    assertThat(slotAnswer.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(0);
  }

  @Test
  void runFailsWithNoHandlersWithoutAnExecutor() throws Exception {
    assertThatThrownBy(() -> executors.run(job("e1")).await(WAIT_S, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }

  @Test
  void sessionReleasedNamesTheExecution() throws Exception {
    CompletableFuture<String> released = new CompletableFuture<>();
    vertx.eventBus().<String>consumer("t.session.released", m -> released.complete(m.body() + " "
      + m.headers().get(Headers.EXECUTION)));
    executors.sessionReleased("s1", "e1");
    assertThat(released.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("s1 e1");
    assertThat(recorded.only().method()).isEqualTo("send");
  }
}
