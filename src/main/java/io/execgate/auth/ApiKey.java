package io.execgate.auth;

import io.execgate.error.ConfigException;
import io.execgate.impl.JsonReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One API key as the configuration holds it: only its SHA-256 hash, never the key itself, and
 * what it may do.
 *
 * @param id            a name for the key (shown in logs and metrics, never secret)
 * @param sha256        the hex SHA-256 of the key
 * @param runtimes      runtimes the key may use; empty: all
 * @param images        globs of images the key may name; empty: all the policy allows
 * @param maxConcurrent executions of this key admitted at once (running or queued); 0: no quota;
 *                      {@link #UNSET}: the default ({@link KeyDefaults})
 * @param ratePerMinute requests per minute; 0: no limit; {@link #UNSET}: the default
 * @param maxStreams    streams of this key open at once on one gateway node (watchers, Server-Sent
 *                      Events, interactive sockets, NDJSON submits); 0: no limit; {@link #UNSET}: the default
 * @param weight        its weight in the fair queue for run slots (a key of weight 2 gets twice the turns
 *                      of a key of weight 1); {@link #UNSET}: the default
 */
public record ApiKey(String id, String sha256, List<String> runtimes, List<String> images, int maxConcurrent,
                     int ratePerMinute, int maxStreams, int weight) {

  /** A limit the key does not set: {@link KeyDefaults} gives it. */
  public static final int UNSET = -1;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public ApiKey {
    runtimes = List.copyOf(runtimes);
    images = List.copyOf(images);
  }

  /**
   * A key with its quota and rate, and the defaults' stream limit and weight.
   */
  public ApiKey(String id, String sha256, List<String> runtimes, List<String> images, int maxConcurrent,
                int ratePerMinute) {
    this(id, sha256, runtimes, images, maxConcurrent, ratePerMinute, UNSET, UNSET);
  }

  /**
   * @return this key with what it does not set taken from {@code defaults}
   */
  public ApiKey withDefaults(KeyDefaults defaults) {
    return new ApiKey(id, sha256, runtimes, images,
      maxConcurrent == UNSET ? defaults.getMaxConcurrent() : maxConcurrent,
      ratePerMinute == UNSET ? defaults.getRatePerMinute() : ratePerMinute,
      maxStreams == UNSET ? defaults.getMaxStreams() : maxStreams,
      weight == UNSET ? defaults.getWeight() : weight);
  }

  /**
   * @return the hex SHA-256 of a key as clients send it
   */
  public static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses one entry of {@code EXECGATE_API_KEYS}: {@code id=sha256:<hex>}, or {@code id=<key>} (hashed
   * here; the key itself is kept nowhere).
   */
  public static ApiKey fromEnv(String entry) {
    int eq = entry.indexOf('=');
    if (eq <= 0 || eq == entry.length() - 1) {
      throw new ConfigException("EXECGATE_API_KEYS", "EXECGATE_API_KEYS entries are id=key or id=sha256:<hex>");
    }
    String id = entry.substring(0, eq).trim();
    String secret = entry.substring(eq + 1).trim();
    String sha = secret.startsWith("sha256:") ? secret.substring(7).toLowerCase() : hash(secret);
    return validate(new ApiKey(id, sha, List.of(), List.of(), UNSET, UNSET), "EXECGATE_API_KEYS");
  }

  static ApiKey fromJson(JsonReader r) {
    ApiKey key = new ApiKey(r.getString("id", null), r.getString("sha256", ""), r.getStrings("runtimes", List.of()),
      r.getStrings("images", List.of()), r.getInt("maxConcurrent", UNSET, 0, 1_000_000),
      r.getInt("ratePerMinute", UNSET, 0, 100_000_000), r.getInt("maxStreams", UNSET, 0, 1_000_000),
      r.getInt("weight", UNSET, 1, 1_000));
    r.finish();
    return validate(key, r.path("id"));
  }

  private static ApiKey validate(ApiKey key, String where) {
    if (key.id() == null || !ID.matcher(key.id()).matches()) {
      throw new ConfigException(where, where + ": a key id must match " + ID.pattern());
    }
    if (!HEX.matcher(key.sha256()).matches()) {
      throw new ConfigException(where, where + ": key '" + key.id() + "' needs sha256, the 64 hex digits of the"
        + " key's SHA-256 (java -jar execgate.jar hash-key <key> prints it)");
    }
    return key;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("sha256", sha256)
      .put("runtimes", new JsonArray(new ArrayList<>(runtimes)))
      .put("images", new JsonArray(new ArrayList<>(images)));
    // what the key does not set stays unset: the defaults apply to it
    putSet(json, "maxConcurrent", maxConcurrent);
    putSet(json, "ratePerMinute", ratePerMinute);
    putSet(json, "maxStreams", maxStreams);
    putSet(json, "weight", weight);
    return json;
  }

  private static void putSet(JsonObject json, String key, int value) {
    if (value != UNSET) {
      json.put(key, value);
    }
  }
}
