package io.execgate.auth;

import io.execgate.error.ConfigException;
import io.execgate.impl.JsonReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may use the API: API keys (hashed), short-lived tokens for browsers, and which web origins
 * may call it.
 */
public class AuthOptions {

  public static final long DEFAULT_TOKEN_TTL_SECONDS = 300;

  private List<ApiKey> keys;
  private long tokenTtlSeconds;
  private boolean allowOpen;
  private List<String> corsOrigins;
  private KeyDefaults keyDefaults;

  public AuthOptions() {
    keys = new ArrayList<>();
    keyDefaults = new KeyDefaults();
    tokenTtlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
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
    allowOpen = r.getBoolean("allowOpen", allowOpen);
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
      .put("allowOpen", allowOpen)
      .put("corsOrigins", new JsonArray(new ArrayList<>(corsOrigins)))
      .put("keyDefaults", keyDefaults.toJson());
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
