package io.execgate.image;

import io.execgate.error.ConfigException;
import io.execgate.impl.JsonReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Which images executions may use and how missing ones are pulled.
 */
public class ImageCacheOptions {

  public static final String DEFAULT_BASE_IMAGE = "execgate/busybox:1.35";
  public static final long DEFAULT_PULL_TIMEOUT_SECONDS = 300;
  public static final int DEFAULT_PULL_RETRIES = 3;

  private String baseImage;
  private String registry;
  private long pullTimeoutSeconds;
  private int pullRetries;
  private List<String> allow;
  private List<String> prePull;

  public ImageCacheOptions() {
    baseImage = DEFAULT_BASE_IMAGE;
    pullTimeoutSeconds = DEFAULT_PULL_TIMEOUT_SECONDS;
    pullRetries = DEFAULT_PULL_RETRIES;
    allow = new ArrayList<>();
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
    pullTimeoutSeconds = r.getLong("pullTimeoutSeconds", pullTimeoutSeconds, 1, 86_400);
    pullRetries = r.getInt("pullRetries", pullRetries, 0, 100);
    allow = new ArrayList<>(r.getStrings("allow", allow));
    prePull = new ArrayList<>(r.getStrings("prePull", prePull));
    r.finish();
    if (baseImage.isBlank()) {
      throw new ConfigException("images.baseImage", "images.baseImage must name an image");
    }
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

  public JsonObject toJson() {
    return new JsonObject()
      .put("baseImage", baseImage)
      .put("registry", registry)
      .put("pullTimeoutSeconds", pullTimeoutSeconds)
      .put("pullRetries", pullRetries)
      .put("allow", new JsonArray(new ArrayList<>(allow)))
      .put("prePull", new JsonArray(new ArrayList<>(prePull)));
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
