package io.execgate.mcp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One MCP session: the key that created it, the protocol version agreed at initialize, and the tool
 * calls in flight (so that {@code notifications/cancelled} and {@code DELETE /mcp} can stop them).
 * Requests of one session may arrive on any HTTP verticle's event loop: its state is thread-safe.
 */
final class McpSession {

  private final String id;
  private final String owner;
  private final String protocolVersion;
  private final Map<String, Runnable> inFlight = new ConcurrentHashMap<>();
  private volatile long lastUsedNanos;

  McpSession(String id, String owner, String protocolVersion, long now) {
    this.id = id;
    this.owner = owner;
    this.protocolVersion = protocolVersion;
    this.lastUsedNanos = now;
  }

  String id() {
    return id;
  }

  String owner() {
    return owner;
  }

  String protocolVersion() {
    return protocolVersion;
  }

  void touch(long now) {
    lastUsedNanos = now;
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  /**
   * @return whether a tool call of this session is in flight
   */
  boolean busy() {
    return !inFlight.isEmpty();
  }

  boolean idle(long now, long idleNanos) {
    return inFlight.isEmpty() && now - lastUsedNanos > idleNanos;
  }

  /**
   * Records a tool call in flight under its JSON-RPC id.
   *
   * @return whether it was recorded (false: a call with this id is already in flight)
   */
  boolean start(Object requestId, Runnable cancel) {
    return inFlight.putIfAbsent(key(requestId), cancel) == null;
  }

  void finish(Object requestId) {
    inFlight.remove(key(requestId));
  }

  /**
   * Cancels the call in flight under {@code requestId}, if there is one.
   */
  void cancel(Object requestId) {
    Runnable cancel = inFlight.remove(key(requestId));
    if (cancel != null) {
      cancel.run();
    }
  }

  void cancelAll() {
    for (Object key : inFlight.keySet().toArray()) {
      Runnable cancel = inFlight.remove(key);
      if (cancel != null) {
        cancel.run();
      }
    }
  }

  /** A string id and a number id are different ids. */
  private static String key(Object requestId) {
    return (requestId instanceof String ? "s:" : "n:") + requestId;
  }
}
