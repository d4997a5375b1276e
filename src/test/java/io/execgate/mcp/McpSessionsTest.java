package io.execgate.mcp;

import io.execgate.config.McpOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class McpSessionsTest {

  private static final long IDLE = TimeUnit.SECONDS.toNanos(60);

  private final McpSessions sessions = new McpSessions(new McpOptions().setMaxSessionsPerKey(2).setMaxSessions(3)
    .setSessionIdleSeconds(60));

  @Test
  void aSessionIsFoundOnlyByTheKeyThatCreatedIt() {
    McpSession session = sessions.create("alice", "2025-06-18", 0);
    assertThat(session.id()).matches("[A-Za-z0-9_-]{22}");
    assertThat(sessions.find(session.id(), "alice", 1)).isSameAs(session);
    assertThat(sessions.find(session.id(), "bob", 1)).isNull();
    assertThat(sessions.find("forged", "alice", 1)).isNull();
    assertThat(sessions.create("alice", "2025-06-18", 0).id()).isNotEqualTo(session.id());
  }

  @Test
  void aKeyAtItsCapLosesItsLeastRecentlyUsedSessionWithoutACallInFlight() {
    McpSession first = sessions.create("alice", "v", 0);
    McpSession second = sessions.create("alice", "v", 1);
    McpSession third = sessions.create("alice", "v", 2);
    assertThat(sessions.find(first.id(), "alice", 3)).isNull();
    assertThat(sessions.find(second.id(), "alice", 3)).isSameAs(second);
    // both busy: nothing to push out
    second.start(1, () -> { });
    third.start(1, () -> { });
    assertThatThrownBy(() -> sessions.create("alice", "v", 4))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED))
      .hasMessageContaining("holds 2 MCP sessions (mcp.maxSessionsPerKey), each with a call in flight");
    third.finish(1);
    assertThat(sessions.create("alice", "v", 5)).isNotNull();
    assertThat(sessions.find(third.id(), "alice", 6)).isNull();
    assertThat(sessions.find(second.id(), "alice", 6)).isSameAs(second);
  }

  @Test
  void theNodesSessionsAreCapped() {
    sessions.create("alice", "v", 0);
    sessions.create("alice", "v", 0);
    sessions.create("bob", "v", 0);
    assertThatThrownBy(() -> sessions.create("carol", "v", 0))
      .isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.CAPACITY_EXHAUSTED));
  }

  @Test
  void anIdleSessionExpiresUnlessACallIsInFlight() {
    McpSession idle = sessions.create("alice", "v", 0);
    McpSession busy = sessions.create("alice", "v", 0);
    AtomicInteger cancelled = new AtomicInteger();
    assertThat(busy.start(1, cancelled::incrementAndGet)).isTrue();
    assertThat(busy.start(1, cancelled::incrementAndGet)).as("the same id twice").isFalse();
    assertThat(busy.start("1", cancelled::incrementAndGet)).as("a string id is another id").isTrue();
    busy.finish("1");
    assertThat(sessions.find(idle.id(), "alice", IDLE + 1)).isNull();
    assertThat(sessions.find(busy.id(), "alice", IDLE + 1)).isSameAs(busy);
    // expired sessions free their key's places
    assertThat(sessions.create("alice", "v", IDLE + 1)).isNotNull();
    sessions.close(busy);
    assertThat(cancelled.get()).isEqualTo(1);
    assertThat(sessions.find(busy.id(), "alice", IDLE + 2)).isNull();
  }

  @Test
  void cancellingRunsTheCallsCancelOnce() {
    McpSession session = sessions.create("alice", "v", 0);
    AtomicInteger cancelled = new AtomicInteger();
    session.start(7L, cancelled::incrementAndGet);
    session.cancel(7);
    session.cancel(7);
    session.cancel("unknown");
    assertThat(cancelled.get()).isEqualTo(1);
  }
}
