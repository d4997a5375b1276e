package io.execgate.auth;

import io.execgate.config.ConfigException;
import io.execgate.config.JsonReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may use the API: API keys (hashed), short-lived tokens for browsers, how failed
 * authentications are throttled, and which web origins may call it.
 */
public class AuthOptions {

  public static final long DEFAULT_TOKEN_TTL_SECONDS = 300;
  public static final int DEFAULT_MAX_TOKENS_PER_KEY = 50;
  public static final int DEFAULT_FAILED_AUTH_PER_MINUTE = 30;
  public static final int DEFAULT_FAILED_AUTH_ADDRESSES = 10_000;
  /** The shortest {@code tokenSecret} accepted. */
  public static final int MIN_TOKEN_SECRET_LENGTH = 32;

  private List<ApiKey> keys;
  private long tokenTtlSeconds;
  private String tokenSecret;
  private int maxTokensPerKey;
  private int failedAuthPerMinute;
  private int failedAuthAddresses;
  private boolean allowOpen;
  private boolean openReady;
  private List<String> corsOrigins;
  private KeyDefaults keyDefaults;

  public AuthOptions() {
    keys = new ArrayList<>();
    keyDefaults = new KeyDefaults();
    tokenTtlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
    maxTokensPerKey = DEFAULT_MAX_TOKENS_PER_KEY;
    failedAuthPerMinute = DEFAULT_FAILED_AUTH_PER_MINUTE;
    failedAuthAddresses = DEFAULT_FAILED_AUTH_ADDRESSES;
    openReady = true;
    corsOrigins = new ArrayList<>();
  }

  public AuthOptions(AuthOptions other) {
    this(other.toJson());
  }

  public AuthOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "auth", ConfigException::new);
    JsonArray array = r.getArray("keys");
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof JsonObject o)) {
          throw new ConfigException("auth.keys[" + i + "]", "auth.keys[" + i + "] must be an object");
        }
        keys.add(ApiKey.fromJson(new JsonReader(o, "auth.keys[" + i + "]", ConfigException::new)));
      }
    }
    tokenTtlSeconds = r.getLong("tokenTtlSeconds", tokenTtlSeconds, 10, 86_400);
    tokenSecret = r.getString("tokenSecret", null);
    if (tokenSecret != null && tokenSecret.length() < MIN_TOKEN_SECRET_LENGTH) {
      throw new ConfigException("auth.tokenSecret", "auth.tokenSecret must be at least " + MIN_TOKEN_SECRET_LENGTH
        + " characters (java -jar execgate.jar generate-key prints a random one)");
    }
    maxTokensPerKey = r.getInt("maxTokensPerKey", maxTokensPerKey, 1, 100_000);
    failedAuthPerMinute = r.getInt("failedAuthPerMinute", failedAuthPerMinute, 0, 1_000_000);
    failedAuthAddresses = r.getInt("failedAuthAddresses", failedAuthAddresses, 100, 10_000_000);
    allowOpen = r.getBoolean("allowOpen", allowOpen);
    openReady = r.getBoolean("openReady", openReady);
    corsOrigins = new ArrayList<>(r.getStrings("corsOrigins", corsOrigins));
    keyDefaults = new KeyDefaults(r.getObject("keyDefaults"));
    r.finish();
    Set<String> ids = new HashSet<>();
    for (ApiKey key : keys) {
      if (!ids.add(key.id())) {
        throw new ConfigException("auth.keys", "auth.keys: the id '" + key.id() + "' is used twice");
      }
    }
  }

  /**
   * @return whether any key is configured (else the API is open, on loopback unless {@link #isAllowOpen()})
   */
  public boolean isEnabled() {
    return !keys.isEmpty();
  }

  /**
   * @return the API keys ({@code EXECGATE_API_KEYS} adds to them)
   */
  public List<ApiKey> getKeys() {
    return keys;
  }

  public AuthOptions setKeys(List<ApiKey> keys) {
    this.keys = new ArrayList<>(keys);
    return this;
  }

  /**
   * Add an API key.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public AuthOptions addKey(ApiKey key) {
    keys.add(key);
    return this;
  }

  /**
   * @return how long a token from {@code POST /v1/tokens} is valid
   */
  public long getTokenTtlSeconds() {
    return tokenTtlSeconds;
  }

  public AuthOptions setTokenTtlSeconds(long tokenTtlSeconds) {
    this.tokenTtlSeconds = tokenTtlSeconds;
    return this;
  }

  /**
   * @return the secret that signs browser tokens' entries, shared by every gateway of a cluster; {@code null}:
   *   a random one per gateway process (then a token is valid only at the gateway that issued it)
   */
  public String getTokenSecret() {
    return tokenSecret;
  }

  /**
   * Set the secret that signs browser tokens ({@value #MIN_TOKEN_SECRET_LENGTH} characters at least).
   *
   * @return a reference to this, so the API can be used fluently
   */
  public AuthOptions setTokenSecret(String tokenSecret) {
    this.tokenSecret = tokenSecret;
    return this;
  }

  /**
   * @return how many unexpired tokens a key may hold at once (a mint past it is a 429)
   */
  public int getMaxTokensPerKey() {
    return maxTokensPerKey;
  }

  /**
   * Set how many unexpired tokens a key may hold at once.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public AuthOptions setMaxTokensPerKey(int maxTokensPerKey) {
    this.maxTokensPerKey = maxTokensPerKey;
    return this;
  }

  /**
   * @return failed authentications (an invalid key or token) a source address may have per minute, also
   *   its burst; past it the address gets 429 until its budget refills; 0: no throttling
   */
  public int getFailedAuthPerMinute() {
    return failedAuthPerMinute;
  }

  /**
   * Set failed authentications a source address may have per minute.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public AuthOptions setFailedAuthPerMinute(int failedAuthPerMinute) {
    this.failedAuthPerMinute = failedAuthPerMinute;
    return this;
  }

  /**
   * @return how many source addresses the throttle of failed authentications remembers at most
   */
  public int getFailedAuthAddresses() {
    return failedAuthAddresses;
  }

  /**
   * Set how many source addresses the throttle of failed authentications remembers at most.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public AuthOptions setFailedAuthAddresses(int failedAuthAddresses) {
    this.failedAuthAddresses = failedAuthAddresses;
    return this;
  }

  /**
   * @return whether the API may listen beyond loopback without any key
   */
  public boolean isAllowOpen() {
    return allowOpen;
  }

  public AuthOptions setAllowOpen(boolean allowOpen) {
    this.allowOpen = allowOpen;
    return this;
  }

  /**
   * @return whether {@code GET /ready} answers a caller without a key (an orchestrator's probe): its
   *   status (200 or 503) and {@code {"ready": …}} only; a caller with a key gets the checks and pools
   */
  public boolean isOpenReady() {
    return openReady;
  }

  public AuthOptions setOpenReady(boolean openReady) {
    this.openReady = openReady;
    return this;
  }

  /**
   * @return web origins (e.g. {@code https://app.example}) that browsers may call the API from, over CORS
   *   and WebSocket; the gateway's own page is always allowed
   */
  public List<String> getCorsOrigins() {
    return corsOrigins;
  }

  public AuthOptions setCorsOrigins(List<String> corsOrigins) {
    this.corsOrigins = new ArrayList<>(corsOrigins);
    return this;
  }

  /**
   * @return the limits of keys that set none of their own
   */
  public KeyDefaults getKeyDefaults() {
    return keyDefaults;
  }

  /**
   * Set the limits of keys that set none of their own.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public AuthOptions setKeyDefaults(KeyDefaults keyDefaults) {
    this.keyDefaults = keyDefaults;
    return this;
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    keys.forEach(k -> array.add(k.toJson()));
    return new JsonObject()
      .put("keys", array)
      .put("tokenTtlSeconds", tokenTtlSeconds)
      .put("tokenSecret", tokenSecret)
      .put("maxTokensPerKey", maxTokensPerKey)
      .put("failedAuthPerMinute", failedAuthPerMinute)
      .put("failedAuthAddresses", failedAuthAddresses)
      .put("allowOpen", allowOpen)
      .put("openReady", openReady)
      .put("corsOrigins", new JsonArray(new ArrayList<>(corsOrigins)))
      .put("keyDefaults", keyDefaults.toJson());
  }

  /**
   * @return {@code json} (this class's JSON form) without the token secret: options end up in logs
   */
  public static JsonObject masked(JsonObject json) {
    if (json.getValue("tokenSecret") != null) {
      json.put("tokenSecret", "***");
    }
    if (json.getValue("keys") instanceof io.vertx.core.json.JsonArray keys) {
      keys.forEach(k -> {
        if (k instanceof JsonObject key && key.getValue("webhookSecret") != null) {
          key.put("webhookSecret", "***");
        }
      });
    }
    return json;
  }

  @Override
  public String toString() {
    return masked(toJson()).encode();
  }
}
