package io.execgate.config;

import io.execgate.model.ImageRef;
import io.execgate.model.RegistryCredentials;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which images executions may use and how missing ones are pulled.
 */
public class ImageCacheOptions {

  public static final String DEFAULT_BASE_IMAGE = "execgate/busybox:1.35";
  public static final long DEFAULT_PULL_TIMEOUT_SECONDS = 300;
  public static final int DEFAULT_PULL_RETRIES = 3;
  public static final long DEFAULT_PULL_RETRY_DELAY_MS = 1_000;
  public static final long DEFAULT_PULL_RETRY_MAX_DELAY_MS = 30_000;
  public static final boolean DEFAULT_REQUIRE_DIGEST = false;

  private String baseImage;
  private String registry;
  private long pullTimeoutSeconds;
  private int pullRetries;
  private long pullRetryDelayMs;
  private long pullRetryMaxDelayMs;
  private List<String> allow;
  private boolean requireDigest;
  private Map<String, RegistryCredentials> credentials;
  private List<String> prePull;

  public ImageCacheOptions() {
    baseImage = DEFAULT_BASE_IMAGE;
    pullTimeoutSeconds = DEFAULT_PULL_TIMEOUT_SECONDS;
    pullRetries = DEFAULT_PULL_RETRIES;
    pullRetryDelayMs = DEFAULT_PULL_RETRY_DELAY_MS;
    pullRetryMaxDelayMs = DEFAULT_PULL_RETRY_MAX_DELAY_MS;
    allow = new ArrayList<>();
    requireDigest = DEFAULT_REQUIRE_DIGEST;
    credentials = new LinkedHashMap<>();
    prePull = new ArrayList<>();
  }

  public ImageCacheOptions(ImageCacheOptions other) {
    this(other.toJson());
  }

  public ImageCacheOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "images", ConfigException::new);
    baseImage = r.getString("baseImage", baseImage);
    registry = r.getString("registry", null);
    if (registry != null && registry.isBlank()) {
      registry = null;
    }
    pullTimeoutSeconds = r.getLong("pullTimeoutSeconds", pullTimeoutSeconds, 1, 86_400);
    pullRetries = r.getInt("pullRetries", pullRetries, 0, 100);
    pullRetryDelayMs = r.getLong("pullRetryDelayMs", pullRetryDelayMs, 1, 3_600_000);
    pullRetryMaxDelayMs = r.getLong("pullRetryMaxDelayMs", pullRetryMaxDelayMs, 1, 3_600_000);
    allow = new ArrayList<>(r.getStrings("allow", allow));
    requireDigest = r.getBoolean("requireDigest", requireDigest);
    JsonObject credsJson = r.getObject("credentials");
    if (credsJson != null) {
      JsonReader creds = new JsonReader(credsJson, r.path("credentials"), ConfigException::new);
      for (String host : credsJson.fieldNames()) {
        if (!host.startsWith("//")) {
          JsonReader c = creds.child(host);
          credentials.put(host, new RegistryCredentials(require(c, "username"), require(c, "password")));
          c.finish();
        }
      }
    }
    prePull = new ArrayList<>(r.getStrings("prePull", prePull));
    r.finish();
    validate();
  }

  private static String require(JsonReader r, String key) {
    String value = r.getString(key, null);
    if (value == null || value.isEmpty()) {
      throw r.fail(key, r.path(key) + " is required");
    }
    return value;
  }

  private void validate() {
    if (baseImage.isBlank()) {
      throw new ConfigException("images.baseImage", "images.baseImage must name an image");
    }
    if (pullRetryMaxDelayMs < pullRetryDelayMs) {
      throw new ConfigException("images.pullRetryMaxDelayMs", "images.pullRetryMaxDelayMs (" + pullRetryMaxDelayMs
        + ") must be at least images.pullRetryDelayMs (" + pullRetryDelayMs + ")");
    }
    for (int i = 0; i < allow.size(); i++) {
      try {
        ImageGlob.parse(allow.get(i));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("images.allow[" + i + "]", "images.allow[" + i + "] " + e.getMessage());
      }
    }
    for (String image : concat(List.of(baseImage), prePull)) {
      try {
        ImageRef.parse(image);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(image.equals(baseImage) ? "images.baseImage" : "images.prePull", e.getMessage());
      }
    }
    if (registry != null && !registry.isBlank()) {
      String parsed;
      try {
        parsed = ImageRef.parse(registry + "/x").registry();
      } catch (IllegalArgumentException e) {
        parsed = null;
      }
      if (!registry.equals(parsed)) {
        throw new ConfigException("images.registry", "images.registry '" + registry
          + "' must be a registry host with a dot or a port (registry.example, localhost:5000), without a scheme");
      }
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * @return the longest an execution may wait for an image: every attempt at its deadline, every
   *   backoff at its longest, and a minute for inspecting and checking it
   */
  public long ensureDeadlineMs() {
    long backoff = 0;
    for (int retry = 1; retry <= pullRetries; retry++) {
      backoff += Backoff.maxDelayMs(pullRetryDelayMs, pullRetryMaxDelayMs, retry);
    }
    return pullTimeoutSeconds * 1000 * (pullRetries + 1) + backoff + 60_000;
  }

  /**
   * @return the image of the default runtime ({@code BASE_IMAGE})
   */
  public String getBaseImage() {
    return baseImage;
  }

  public ImageCacheOptions setBaseImage(String baseImage) {
    this.baseImage = baseImage;
    return this;
  }

  /**
   * @return the registry that prefixes unqualified image names ({@code CUSTOM_IMAGE_REGISTRY}), or {@code null}
   */
  public String getRegistry() {
    return registry;
  }

  public ImageCacheOptions setRegistry(String registry) {
    this.registry = registry;
    return this;
  }

  /**
   * @return the deadline of one pull attempt ({@code CUSTOM_IMAGE_PULL_TIMEOUT})
   */
  public long getPullTimeoutSeconds() {
    return pullTimeoutSeconds;
  }

  public ImageCacheOptions setPullTimeoutSeconds(long pullTimeoutSeconds) {
    this.pullTimeoutSeconds = pullTimeoutSeconds;
    return this;
  }

  /**
   * @return how often a transient pull failure is retried ({@code CUSTOM_IMAGE_PULL_RETRIES})
   */
  public int getPullRetries() {
    return pullRetries;
  }

  public ImageCacheOptions setPullRetries(int pullRetries) {
    this.pullRetries = pullRetries;
    return this;
  }

  /**
   * @return the delay before the first retry; each further retry doubles it, up to
   *   {@link #getPullRetryMaxDelayMs()}, and jitter takes up to half of it off
   */
  public long getPullRetryDelayMs() {
    return pullRetryDelayMs;
  }

  public ImageCacheOptions setPullRetryDelayMs(long pullRetryDelayMs) {
    this.pullRetryDelayMs = pullRetryDelayMs;
    return this;
  }

  /**
   * @return the longest delay between two pull attempts
   */
  public long getPullRetryMaxDelayMs() {
    return pullRetryMaxDelayMs;
  }

  public ImageCacheOptions setPullRetryMaxDelayMs(long pullRetryMaxDelayMs) {
    this.pullRetryMaxDelayMs = pullRetryMaxDelayMs;
    return this;
  }

  /**
   * @return whether images that requests name must be pinned by digest ({@code name@sha256:...})
   */
  public boolean isRequireDigest() {
    return requireDigest;
  }

  public ImageCacheOptions setRequireDigest(boolean requireDigest) {
    this.requireDigest = requireDigest;
    return this;
  }

  /**
   * @return credentials by registry host (with port), sent with the pulls from that registry
   */
  public Map<String, RegistryCredentials> getCredentials() {
    return credentials;
  }

  public ImageCacheOptions setCredentials(Map<String, RegistryCredentials> credentials) {
    this.credentials = new LinkedHashMap<>(credentials);
    return this;
  }

  /**
   * Sets the credentials of one registry.
   *
   * @param registry the registry host, with its port when it has one
   * @return a reference to this, so the API can be used fluently
   */
  public ImageCacheOptions addCredentials(String registry, RegistryCredentials credentials) {
    this.credentials.put(registry, credentials);
    return this;
  }

  /**
   * @return globs of images a request may name ({@code EXECGATE_IMAGE_ALLOW} adds to them); the runtimes' images are always allowed
   */
  public List<String> getAllow() {
    return allow;
  }

  public ImageCacheOptions setAllow(List<String> allow) {
    this.allow = new ArrayList<>(allow);
    return this;
  }

  /**
   * Add a glob of images requests may name.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ImageCacheOptions addAllow(String glob) {
    allow.add(glob);
    return this;
  }

  /**
   * @return images pulled at startup
   */
  public List<String> getPrePull() {
    return prePull;
  }

  public ImageCacheOptions setPrePull(List<String> prePull) {
    this.prePull = new ArrayList<>(prePull);
    return this;
  }

  /**
   * Adds an image to pull at startup.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ImageCacheOptions addPrePull(String image) {
    prePull.add(image);
    return this;
  }

  public JsonObject toJson() {
    JsonObject creds = new JsonObject();
    credentials.forEach((host, c) -> creds.put(host, c.toJson()));
    return new JsonObject()
      .put("baseImage", baseImage)
      .put("registry", registry)
      .put("pullTimeoutSeconds", pullTimeoutSeconds)
      .put("pullRetries", pullRetries)
      .put("pullRetryDelayMs", pullRetryDelayMs)
      .put("pullRetryMaxDelayMs", pullRetryMaxDelayMs)
      .put("allow", new JsonArray(new ArrayList<>(allow)))
      .put("requireDigest", requireDigest)
      .put("credentials", creds)
      .put("prePull", new JsonArray(new ArrayList<>(prePull)));
  }

  @Override
  public String toString() {
    JsonObject json = toJson();
    json.getJsonObject("credentials").forEach(e -> ((JsonObject) e.getValue()).put("password", "***"));
    return json.encode();
  }
}
