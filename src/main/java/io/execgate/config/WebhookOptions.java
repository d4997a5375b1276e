package io.execgate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Completion webhooks ({@code "callbackUrl"}): the hosts a callback may go to, the secret deliveries
 * are signed with when the key has none of its own, and how deliveries are retried.
 */
public class WebhookOptions {

  public static final int DEFAULT_MAX_ATTEMPTS = 6;
  public static final long DEFAULT_RETRY_DELAY_MS = 1_000;
  public static final long DEFAULT_RETRY_MAX_DELAY_MS = 60_000;
  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_MAX_URL_LENGTH = 2048;
  public static final int DEFAULT_MAX_PENDING = 10_000;
  /** A secret shorter than this is refused at startup: it would be guessable. */
  public static final int MIN_SECRET_LENGTH = 16;

  private String secret;
  private List<String> allow;
  private int maxAttempts;
  private long retryDelayMs;
  private long retryMaxDelayMs;
  private long timeoutMs;
  private int maxUrlLength;
  private int maxPending;

  public WebhookOptions() {
    allow = new ArrayList<>();
    maxAttempts = DEFAULT_MAX_ATTEMPTS;
    retryDelayMs = DEFAULT_RETRY_DELAY_MS;
    retryMaxDelayMs = DEFAULT_RETRY_MAX_DELAY_MS;
    timeoutMs = DEFAULT_TIMEOUT_MS;
    maxUrlLength = DEFAULT_MAX_URL_LENGTH;
    maxPending = DEFAULT_MAX_PENDING;
  }

  public WebhookOptions(WebhookOptions other) {
    this(other.toJson());
  }

  public WebhookOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "webhooks", ConfigException::new);
    secret = r.getString("secret", null);
    allow = new ArrayList<>(r.getStrings("allow", List.of()));
    maxAttempts = r.getInt("maxAttempts", maxAttempts, 1, 100);
    retryDelayMs = r.getLong("retryDelayMs", retryDelayMs, 1, 3_600_000);
    retryMaxDelayMs = r.getLong("retryMaxDelayMs", retryMaxDelayMs, 1, 24 * 3_600_000L);
    timeoutMs = r.getLong("timeoutMs", timeoutMs, 100, 300_000);
    maxUrlLength = r.getInt("maxUrlLength", maxUrlLength, 16, 65_536);
    maxPending = r.getInt("maxPending", maxPending, 1, 10_000_000);
    r.finish();
    if (secret != null && secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException("webhooks.secret", "webhooks.secret must have " + MIN_SECRET_LENGTH
        + " characters at least");
    }
    if (retryMaxDelayMs < retryDelayMs) {
      throw new ConfigException("webhooks.retryMaxDelayMs", "webhooks.retryMaxDelayMs is below webhooks.retryDelayMs");
    }
    for (int i = 0; i < allow.size(); i++) {
      try {
        HostGlob.parse(allow.get(i));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("webhooks.allow[" + i + "]", "webhooks.allow[" + i + "] " + e.getMessage());
      }
    }
  }

  /**
   * @return the secret deliveries are signed with when their key has no {@code webhookSecret}, or {@code null}
   */
  public String getSecret() {
    return secret;
  }

  /**
   * @param secret the secret deliveries are signed with when their key has none
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setSecret(String secret) {
    this.secret = secret;
    return this;
  }

  /**
   * @return the globs of {@code host[:port]} a callback may go to; empty: none
   */
  public List<String> getAllow() {
    return allow;
  }

  /**
   * @param allow the globs of {@code host[:port]} a callback may go to
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setAllow(List<String> allow) {
    this.allow = new ArrayList<>(allow);
    return this;
  }

  /**
   * @param glob a glob of {@code host[:port]} a callback may go to
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions addAllow(String glob) {
    allow.add(glob);
    return this;
  }

  /**
   * @return the attempts of one delivery, the first included
   */
  public int getMaxAttempts() {
    return maxAttempts;
  }

  /**
   * @param maxAttempts the attempts of one delivery, the first included
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setMaxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
    return this;
  }

  /**
   * @return the delay before the first retry; it doubles for each next one, jitter taking up to half off
   */
  public long getRetryDelayMs() {
    return retryDelayMs;
  }

  /**
   * @param retryDelayMs the delay before the first retry
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setRetryDelayMs(long retryDelayMs) {
    this.retryDelayMs = retryDelayMs;
    return this;
  }

  /**
   * @return the longest delay between two attempts
   */
  public long getRetryMaxDelayMs() {
    return retryMaxDelayMs;
  }

  /**
   * @param retryMaxDelayMs the longest delay between two attempts
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setRetryMaxDelayMs(long retryMaxDelayMs) {
    this.retryMaxDelayMs = retryMaxDelayMs;
    return this;
  }

  /**
   * @return the deadline of one attempt, from resolving the host to the receiver's status line
   */
  public long getTimeoutMs() {
    return timeoutMs;
  }

  /**
   * @param timeoutMs the deadline of one attempt
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setTimeoutMs(long timeoutMs) {
    this.timeoutMs = timeoutMs;
    return this;
  }

  /**
   * @return the longest callback URL a request may give
   */
  public int getMaxUrlLength() {
    return maxUrlLength;
  }

  /**
   * @param maxUrlLength the longest callback URL a request may give
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setMaxUrlLength(int maxUrlLength) {
    this.maxUrlLength = maxUrlLength;
    return this;
  }

  /**
   * @return the deliveries a node keeps pending (waiting for their execution, or between attempts) at
   *   most; one more callback is refused at submit with 429
   */
  public int getMaxPending() {
    return maxPending;
  }

  /**
   * @param maxPending the deliveries a node keeps pending at most
   * @return a reference to this, so the API can be used fluently
   */
  public WebhookOptions setMaxPending(int maxPending) {
    this.maxPending = maxPending;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("secret", secret)
      .put("allow", new JsonArray(new ArrayList<>(allow)))
      .put("maxAttempts", maxAttempts)
      .put("retryDelayMs", retryDelayMs)
      .put("retryMaxDelayMs", retryMaxDelayMs)
      .put("timeoutMs", timeoutMs)
      .put("maxUrlLength", maxUrlLength)
      .put("maxPending", maxPending);
  }

  /**
   * @return the options as JSON, the secret masked
   */
  @Override
  public String toString() {
    JsonObject json = toJson();
    if (secret != null) {
      json.put("secret", "***");
    }
    return json.encode();
  }
}
