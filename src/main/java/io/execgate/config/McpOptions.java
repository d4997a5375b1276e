package io.execgate.config;

import io.vertx.core.json.JsonObject;

/**
 * The Model Context Protocol endpoint ({@code /mcp}): whether it is served, how many MCP sessions a
 * key and the node may hold, how long an idle one lives, and the largest JSON-RPC message.
 */
public class McpOptions {

  public static final boolean DEFAULT_ENABLED = true;
  public static final int DEFAULT_MAX_SESSIONS_PER_KEY = 16;
  public static final int DEFAULT_MAX_SESSIONS = 1024;
  public static final long DEFAULT_SESSION_IDLE_SECONDS = 1800;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

  private boolean enabled;
  private int maxSessionsPerKey;
  private int maxSessions;
  private long sessionIdleSeconds;
  private long maxRequestBytes;

  public McpOptions() {
    enabled = DEFAULT_ENABLED;
    maxSessionsPerKey = DEFAULT_MAX_SESSIONS_PER_KEY;
    maxSessions = DEFAULT_MAX_SESSIONS;
    sessionIdleSeconds = DEFAULT_SESSION_IDLE_SECONDS;
    maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
  }

  public McpOptions(McpOptions other) {
    this(other.toJson());
  }

  public McpOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "mcp", ConfigException::new);
    enabled = r.getBoolean("enabled", enabled);
    maxSessionsPerKey = (int) r.getLong("maxSessionsPerKey", maxSessionsPerKey, 1, 1 << 20);
    maxSessions = (int) r.getLong("maxSessions", maxSessions, 1, 1 << 24);
    sessionIdleSeconds = r.getLong("sessionIdleSeconds", sessionIdleSeconds, 1, 7L * 24 * 3600);
    maxRequestBytes = r.getLong("maxRequestBytes", maxRequestBytes, 1024, 1L << 30);
    r.finish();
    if (maxSessionsPerKey > maxSessions) {
      throw new ConfigException("mcp.maxSessionsPerKey", "mcp.maxSessionsPerKey is above mcp.maxSessions");
    }
  }

  /**
   * @return whether {@code /mcp} is served
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * @param enabled whether {@code /mcp} is served
   * @return a reference to this, so the API can be used fluently
   */
  public McpOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * @return the MCP sessions one API key may hold open on a node; one more initialize is refused
   */
  public int getMaxSessionsPerKey() {
    return maxSessionsPerKey;
  }

  /**
   * @param maxSessionsPerKey the MCP sessions one API key may hold open on a node
   * @return a reference to this, so the API can be used fluently
   */
  public McpOptions setMaxSessionsPerKey(int maxSessionsPerKey) {
    this.maxSessionsPerKey = maxSessionsPerKey;
    return this;
  }

  /**
   * @return the MCP sessions all keys together may hold open on a node
   */
  public int getMaxSessions() {
    return maxSessions;
  }

  /**
   * @param maxSessions the MCP sessions all keys together may hold open on a node
   * @return a reference to this, so the API can be used fluently
   */
  public McpOptions setMaxSessions(int maxSessions) {
    this.maxSessions = maxSessions;
    return this;
  }

  /**
   * @return how long an MCP session without requests (and without a tool call in flight) lives
   */
  public long getSessionIdleSeconds() {
    return sessionIdleSeconds;
  }

  /**
   * @param sessionIdleSeconds how long an MCP session without requests lives
   * @return a reference to this, so the API can be used fluently
   */
  public McpOptions setSessionIdleSeconds(long sessionIdleSeconds) {
    this.sessionIdleSeconds = sessionIdleSeconds;
    return this;
  }

  /**
   * @return the largest JSON-RPC message body; beyond it 413 before it is read
   */
  public long getMaxRequestBytes() {
    return maxRequestBytes;
  }

  /**
   * @param maxRequestBytes the largest JSON-RPC message body
   * @return a reference to this, so the API can be used fluently
   */
  public McpOptions setMaxRequestBytes(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("maxSessionsPerKey", maxSessionsPerKey)
      .put("maxSessions", maxSessions)
      .put("sessionIdleSeconds", sessionIdleSeconds)
      .put("maxRequestBytes", maxRequestBytes);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
