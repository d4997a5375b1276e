package io.execgate.auth;

import io.execgate.config.ConfigException;
import io.execgate.config.ImageGlob;
import io.execgate.config.JsonReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
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
 * @param admin         whether the key may use the operational routes ({@code /metrics}, {@code /v1/stats})
 *                      and read, stream and cancel every key's executions
 * @param webhookSecret the secret this key's webhook deliveries are signed with, or {@code null} for
 *                      {@code webhooks.secret}
 */
public record ApiKey(String id, String sha256, List<String> runtimes, List<String> images, int maxConcurrent,
                     int ratePerMinute, int maxStreams, int weight, boolean admin, String webhookSecret) {

  /** A limit the key does not set: {@link KeyDefaults} gives it. */
  public static final int UNSET = -1;
  /** What a configured raw key must carry at least, estimated by {@link #entropyBits(String)}. */
  public static final int MIN_ENTROPY_BITS = 128;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  /** The owner of what the unauthenticated caller of an open gateway (and the in-process client) runs. */
  private static final String RESERVED_ID = "anonymous";

  public ApiKey {
    runtimes = List.copyOf(runtimes);
    images = List.copyOf(images);
  }

  /**
   * A key whose webhooks are signed with {@code webhooks.secret}.
   */
  public ApiKey(String id, String sha256, List<String> runtimes, List<String> images, int maxConcurrent,
                int ratePerMinute, int maxStreams, int weight, boolean admin) {
    this(id, sha256, runtimes, images, maxConcurrent, ratePerMinute, maxStreams, weight, admin, null);
  }

  /**
   * A key that is not an admin, with its quota and rate, and the defaults' stream limit and weight.
   */
  public ApiKey(String id, String sha256, List<String> runtimes, List<String> images, int maxConcurrent,
                int ratePerMinute) {
    this(id, sha256, runtimes, images, maxConcurrent, ratePerMinute, UNSET, UNSET, false);
  }

  /**
   * @return the same key, made an admin (or not)
   */
  public ApiKey withAdmin(boolean admin) {
    return new ApiKey(id, sha256, runtimes, images, maxConcurrent, ratePerMinute, maxStreams, weight, admin,
      webhookSecret);
  }

  /**
   * @return this key with what it does not set taken from {@code defaults}
   */
  public ApiKey withDefaults(KeyDefaults defaults) {
    return new ApiKey(id, sha256, runtimes, images,
      maxConcurrent == UNSET ? defaults.getMaxConcurrent() : maxConcurrent,
      ratePerMinute == UNSET ? defaults.getRatePerMinute() : ratePerMinute,
      maxStreams == UNSET ? defaults.getMaxStreams() : maxStreams,
      weight == UNSET ? defaults.getWeight() : weight, admin, webhookSecret);
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
   * @return a new random key of 256 bits (43 URL-safe base64 characters)
   */
  public static String generate() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Estimates the entropy of a key from its length and the classes of characters it uses (digits,
   * lower case, upper case, others): what a guesser who knows those classes faces. It catches short
   * and simple keys; it cannot tell a random key from a long guessable phrase.
   *
   * @return the estimate, in bits
   */
  public static int entropyBits(String key) {
    boolean digit = false;
    boolean lower = false;
    boolean upper = false;
    boolean other = false;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c >= 'a' && c <= 'z') {
        lower = true;
      } else if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else {
        other = true;
      }
    }
    int alphabet = (digit ? 10 : 0) + (lower ? 26 : 0) + (upper ? 26 : 0) + (other ? 33 : 0);
    return alphabet == 0 ? 0 : (int) Math.floor(key.length() * Math.log(alphabet) / Math.log(2));
  }

  /**
   * Parses one entry of {@code EXECGATE_API_KEYS}: {@code id=sha256:<hex>}, or {@code id=<key>} (hashed
   * here; the key itself is kept nowhere). A raw key weaker than {@value #MIN_ENTROPY_BITS} bits is
   * refused; a hash cannot be measured and is taken as given.
   */
  public static ApiKey fromEnv(String entry) {
    int eq = entry.indexOf('=');
    if (eq <= 0 || eq == entry.length() - 1) {
      throw new ConfigException("EXECGATE_API_KEYS", "EXECGATE_API_KEYS entries are id=key or id=sha256:<hex>");
    }
    String id = entry.substring(0, eq).trim();
    String secret = entry.substring(eq + 1).trim();
    boolean hashed = secret.startsWith("sha256:");
    if (!hashed && entropyBits(secret) < MIN_ENTROPY_BITS) {
      throw new ConfigException("EXECGATE_API_KEYS", "EXECGATE_API_KEYS: key '" + id + "' is too weak (about "
        + entropyBits(secret) + " bits; at least " + MIN_ENTROPY_BITS + " are required): java -jar execgate.jar"
        + " generate-key prints a key of 256 bits");
    }
    String sha = hashed ? secret.substring(7).toLowerCase() : hash(secret);
    return validate(new ApiKey(id, sha, List.of(), List.of(), UNSET, UNSET), "EXECGATE_API_KEYS");
  }

  static ApiKey fromJson(JsonReader r) {
    ApiKey key = new ApiKey(r.getString("id", null), r.getString("sha256", ""), r.getStrings("runtimes", List.of()),
      r.getStrings("images", List.of()), r.getInt("maxConcurrent", UNSET, 0, 1_000_000),
      r.getInt("ratePerMinute", UNSET, 0, 100_000_000), r.getInt("maxStreams", UNSET, 0, 1_000_000),
      r.getInt("weight", UNSET, 1, 1_000), r.getBoolean("admin", false), r.getString("webhookSecret", null));
    r.finish();
    for (int i = 0; i < key.images().size(); i++) {
      try {
        ImageGlob.parse(key.images().get(i));
      } catch (IllegalArgumentException e) {
        String where = r.path("images") + "[" + i + "]";
        throw new ConfigException(where, where + " " + e.getMessage());
      }
    }
    return validate(key, r.path("id"));
  }

  private static ApiKey validate(ApiKey key, String where) {
    if (key.webhookSecret() != null && key.webhookSecret().length() < 16) {
      throw new ConfigException(where, where + ": key '" + key.id() + "' has a webhookSecret shorter than 16 characters");
    }
    if (key.id() == null || !ID.matcher(key.id()).matches()) {
      throw new ConfigException(where, where + ": a key id must match " + ID.pattern());
    }
    if (key.id().equalsIgnoreCase(RESERVED_ID)) {
      throw new ConfigException(where, where + ": the key id '" + key.id() + "' is reserved (it owns what an open"
        + " gateway and the in-process client run); choose another");
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
      .put("images", new JsonArray(new ArrayList<>(images)))
      .put("admin", admin);
    if (webhookSecret != null) {
      json.put("webhookSecret", webhookSecret);
    }
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
