package io.execgate.config;

import io.vertx.core.json.JsonObject;

/**
 * Sessions ({@code /v1/sessions}): sandboxes that keep their working directory across executions.
 * Whether they are served, how many a key and the node may hold, how long they live idle and at
 * most (defaults a request may lower or raise up to the maxima), the file size caps, and how long
 * an ended session still answers {@code 410}.
 */
public class SessionOptions {

  public static final boolean DEFAULT_ENABLED = true;
  public static final int DEFAULT_MAX_PER_KEY = 4;
  public static final int DEFAULT_MAX_SESSIONS = 64;
  public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 300;
  public static final long DEFAULT_MAX_IDLE_TIMEOUT_SECONDS = 3600;
  public static final long DEFAULT_LIFETIME_SECONDS = 3600;
  public static final long DEFAULT_MAX_LIFETIME_SECONDS = 24 * 3600;
  public static final long DEFAULT_MAX_FILE_BYTES = 16L << 20;
  public static final long DEFAULT_MAX_SESSION_FILE_BYTES = 48L << 20;
  public static final long DEFAULT_ENDED_RETENTION_SECONDS = 600;
  public static final long DEFAULT_CHECK_INTERVAL_MS = 1000;

  private boolean enabled;
  private int maxPerKey;
  private int maxSessions;
  private long idleTimeoutSeconds;
  private long maxIdleTimeoutSeconds;
  private long lifetimeSeconds;
  private long maxLifetimeSeconds;
  private long maxFileBytes;
  private long maxSessionFileBytes;
  private long endedRetentionSeconds;
  private long checkIntervalMs;

  public SessionOptions() {
    enabled = DEFAULT_ENABLED;
    maxPerKey = DEFAULT_MAX_PER_KEY;
    maxSessions = DEFAULT_MAX_SESSIONS;
    idleTimeoutSeconds = DEFAULT_IDLE_TIMEOUT_SECONDS;
    maxIdleTimeoutSeconds = DEFAULT_MAX_IDLE_TIMEOUT_SECONDS;
    lifetimeSeconds = DEFAULT_LIFETIME_SECONDS;
    maxLifetimeSeconds = DEFAULT_MAX_LIFETIME_SECONDS;
    maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    maxSessionFileBytes = DEFAULT_MAX_SESSION_FILE_BYTES;
    endedRetentionSeconds = DEFAULT_ENDED_RETENTION_SECONDS;
    checkIntervalMs = DEFAULT_CHECK_INTERVAL_MS;
  }

  public SessionOptions(SessionOptions other) {
    this(other.toJson());
  }

  public SessionOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "sessions", ConfigException::new);
    enabled = r.getBoolean("enabled", enabled);
    maxPerKey = (int) r.getLong("maxPerKey", maxPerKey, 1, 1 << 20);
    maxSessions = (int) r.getLong("maxSessions", maxSessions, 1, 1 << 20);
    idleTimeoutSeconds = r.getLong("idleTimeoutSeconds", idleTimeoutSeconds, 1, 30L * 24 * 3600);
    maxIdleTimeoutSeconds = r.getLong("maxIdleTimeoutSeconds", maxIdleTimeoutSeconds, 1, 30L * 24 * 3600);
    lifetimeSeconds = r.getLong("lifetimeSeconds", lifetimeSeconds, 1, 30L * 24 * 3600);
    maxLifetimeSeconds = r.getLong("maxLifetimeSeconds", maxLifetimeSeconds, 1, 30L * 24 * 3600);
    maxFileBytes = r.getLong("maxFileBytes", maxFileBytes, 1, 1L << 40);
    maxSessionFileBytes = r.getLong("maxSessionFileBytes", maxSessionFileBytes, 1, 1L << 40);
    endedRetentionSeconds = r.getLong("endedRetentionSeconds", endedRetentionSeconds, 0, 7L * 24 * 3600);
    checkIntervalMs = r.getLong("checkIntervalMs", checkIntervalMs, 50, 600_000);
    r.finish();
    validate();
  }

  /**
   * Checks that defaults fit their maxima.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions validate() {
    if (maxPerKey > maxSessions) {
      throw new ConfigException("sessions.maxPerKey", "sessions.maxPerKey is above sessions.maxSessions");
    }
    if (idleTimeoutSeconds > maxIdleTimeoutSeconds) {
      throw new ConfigException("sessions.idleTimeoutSeconds", "sessions.idleTimeoutSeconds is above "
        + "sessions.maxIdleTimeoutSeconds");
    }
    if (lifetimeSeconds > maxLifetimeSeconds) {
      throw new ConfigException("sessions.lifetimeSeconds", "sessions.lifetimeSeconds is above "
        + "sessions.maxLifetimeSeconds");
    }
    if (maxFileBytes > maxSessionFileBytes) {
      throw new ConfigException("sessions.maxFileBytes", "sessions.maxFileBytes is above sessions.maxSessionFileBytes");
    }
    return this;
  }

  /**
   * @return whether {@code /v1/sessions} is served
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * @param enabled whether {@code /v1/sessions} is served
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * @return the sessions one API key may hold open on a node; one more is refused with 429
   */
  public int getMaxPerKey() {
    return maxPerKey;
  }

  /**
   * @param maxPerKey the sessions one API key may hold open on a node
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setMaxPerKey(int maxPerKey) {
    this.maxPerKey = maxPerKey;
    return this;
  }

  /**
   * @return the sessions all keys together may hold open on a node
   */
  public int getMaxSessions() {
    return maxSessions;
  }

  /**
   * @param maxSessions the sessions all keys together may hold open on a node
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setMaxSessions(int maxSessions) {
    this.maxSessions = maxSessions;
    return this;
  }

  /**
   * @return the idle timeout of a session whose request names none
   */
  public long getIdleTimeoutSeconds() {
    return idleTimeoutSeconds;
  }

  /**
   * @param idleTimeoutSeconds the idle timeout of a session whose request names none
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setIdleTimeoutSeconds(long idleTimeoutSeconds) {
    this.idleTimeoutSeconds = idleTimeoutSeconds;
    return this;
  }

  /**
   * @return the largest idle timeout a request may ask for
   */
  public long getMaxIdleTimeoutSeconds() {
    return maxIdleTimeoutSeconds;
  }

  /**
   * @param maxIdleTimeoutSeconds the largest idle timeout a request may ask for
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setMaxIdleTimeoutSeconds(long maxIdleTimeoutSeconds) {
    this.maxIdleTimeoutSeconds = maxIdleTimeoutSeconds;
    return this;
  }

  /**
   * @return the lifetime of a session whose request names none
   */
  public long getLifetimeSeconds() {
    return lifetimeSeconds;
  }

  /**
   * @param lifetimeSeconds the lifetime of a session whose request names none
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setLifetimeSeconds(long lifetimeSeconds) {
    this.lifetimeSeconds = lifetimeSeconds;
    return this;
  }

  /**
   * @return the largest lifetime a request may ask for ({@code maxLifetimeSeconds})
   */
  public long getMaxLifetimeSeconds() {
    return maxLifetimeSeconds;
  }

  /**
   * @param maxLifetimeSeconds the largest lifetime a request may ask for
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setMaxLifetimeSeconds(long maxLifetimeSeconds) {
    this.maxLifetimeSeconds = maxLifetimeSeconds;
    return this;
  }

  /**
   * @return the largest file one upload may write (413 beyond)
   */
  public long getMaxFileBytes() {
    return maxFileBytes;
  }

  /**
   * @param maxFileBytes the largest file one upload may write
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setMaxFileBytes(long maxFileBytes) {
    this.maxFileBytes = maxFileBytes;
    return this;
  }

  /**
   * @return the most the working directory may hold after an upload (413 beyond), and the largest
   *   file a download returns
   */
  public long getMaxSessionFileBytes() {
    return maxSessionFileBytes;
  }

  /**
   * @param maxSessionFileBytes the most the working directory may hold after an upload
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setMaxSessionFileBytes(long maxSessionFileBytes) {
    this.maxSessionFileBytes = maxSessionFileBytes;
    return this;
  }

  /**
   * @return how long an ended session still answers {@code 410} with its reason (then {@code 404})
   */
  public long getEndedRetentionSeconds() {
    return endedRetentionSeconds;
  }

  /**
   * @param endedRetentionSeconds how long an ended session still answers {@code 410}
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setEndedRetentionSeconds(long endedRetentionSeconds) {
    this.endedRetentionSeconds = endedRetentionSeconds;
    return this;
  }

  /**
   * @return how often sessions are checked for expiry
   */
  public long getCheckIntervalMs() {
    return checkIntervalMs;
  }

  /**
   * @param checkIntervalMs how often sessions are checked for expiry
   * @return a reference to this, so the API can be used fluently
   */
  public SessionOptions setCheckIntervalMs(long checkIntervalMs) {
    this.checkIntervalMs = checkIntervalMs;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("maxPerKey", maxPerKey)
      .put("maxSessions", maxSessions)
      .put("idleTimeoutSeconds", idleTimeoutSeconds)
      .put("maxIdleTimeoutSeconds", maxIdleTimeoutSeconds)
      .put("lifetimeSeconds", lifetimeSeconds)
      .put("maxLifetimeSeconds", maxLifetimeSeconds)
      .put("maxFileBytes", maxFileBytes)
      .put("maxSessionFileBytes", maxSessionFileBytes)
      .put("endedRetentionSeconds", endedRetentionSeconds)
      .put("checkIntervalMs", checkIntervalMs);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
