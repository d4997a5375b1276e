package io.execgate.mcp;

import io.execgate.config.McpOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.shareddata.Shareable;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The MCP sessions of one gateway on this node, shared by its HTTP verticle instances (a session's
 * requests may land on any of them). A session id is 128 random bits and is bound to the key that
 * created it: another key presenting it is told it does not exist. Idle sessions are dropped when
 * they are next looked at and whenever a session is created, so no timer is needed. A key at its
 * cap that opens one more loses its least recently used session without a call in flight: clients
 * that reconnect without ending their sessions (many do) are never locked out, and a key can only
 * ever push out its own sessions.
 */
final class McpSessions implements Shareable {

  private final int maxPerKey;
  private final int max;
  private final long idleNanos;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, McpSession> sessions = new ConcurrentHashMap<>();

  McpSessions(McpOptions options) {
    this.maxPerKey = options.getMaxSessionsPerKey();
    this.max = options.getMaxSessions();
    this.idleNanos = TimeUnit.SECONDS.toNanos(options.getSessionIdleSeconds());
  }

  /**
   * Opens a session for {@code owner}.
   *
   * @throws GatewayException {@link ErrorCode#RATE_LIMITED} when each of the key's sessions has a
   *                          call in flight, {@link ErrorCode#CAPACITY_EXHAUSTED} past the node's
   */
  synchronized McpSession create(String owner, String protocolVersion, long now) {
    sessions.values().removeIf(s -> s.idle(now, idleNanos));
    List<McpSession> mine = sessions.values().stream().filter(s -> s.owner().equals(owner)).toList();
    if (mine.size() >= maxPerKey) {
      McpSession oldest = mine.stream().filter(s -> !s.busy())
        .min(Comparator.comparingLong(McpSession::lastUsedNanos)).orElse(null);
      if (oldest == null) {
        throw new GatewayException(ErrorCode.RATE_LIMITED, "key '" + owner + "' holds " + mine.size()
          + " MCP sessions (mcp.maxSessionsPerKey), each with a call in flight; end one with DELETE /mcp");
      }
      sessions.remove(oldest.id(), oldest);
    }
    if (sessions.size() >= max) {
      throw new GatewayException(ErrorCode.CAPACITY_EXHAUSTED, "this node holds its most MCP sessions ("
        + "mcp.maxSessions); retry later");
    }
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    McpSession session = new McpSession(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), owner,
      protocolVersion, now);
    sessions.put(session.id(), session);
    return session;
  }

  /**
   * @return the live session {@code id} of {@code owner}, or {@code null} (unknown, expired, or another key's)
   */
  McpSession find(String id, String owner, long now) {
    McpSession session = sessions.get(id);
    if (session == null || !session.owner().equals(owner)) {
      return null;
    }
    if (session.idle(now, idleNanos)) {
      sessions.remove(id, session);
      return null;
    }
    session.touch(now);
    return session;
  }

  /**
   * Ends a session: its calls in flight are cancelled.
   */
  void close(McpSession session) {
    if (sessions.remove(session.id(), session)) {
      session.cancelAll();
    }
  }

  int size() {
    return sessions.size();
  }
}
