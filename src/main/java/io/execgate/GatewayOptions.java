package io.execgate;

import io.execgate.auth.AuthOptions;
import io.execgate.bus.Addresses;
import io.execgate.config.ClusterOptions;
import io.execgate.config.ConfigException;
import io.execgate.config.DockerOptions;
import io.execgate.config.ExecutorOptions;
import io.execgate.config.HttpOptions;
import io.execgate.config.ImageCacheOptions;
import io.execgate.config.JsonReader;
import io.execgate.config.Judge0Options;
import io.execgate.config.McpOptions;
import io.execgate.config.RuntimeSpecs;
import io.execgate.config.BatchOptions;
import io.execgate.config.WebhookOptions;
import io.execgate.config.SessionOptions;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Options of one execution gateway: the HTTP API, the Docker engine, the executors, the image
 * cache and the runtimes. Read from {@code conf/config.json} and the environment by the command
 * line, or built in code by an embedding application. Mutable until deployed; the gateway keeps a
 * copy.
 */
public class GatewayOptions {

  public static final String DEFAULT_INSTANCE_ID = "default";
  public static final String DEFAULT_RUNTIME = "sh";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  private String instanceId;
  private String addressPrefix;
  private HttpOptions http;
  private DockerOptions docker;
  private ExecutorOptions executor;
  private ImageCacheOptions images;
  private AuthOptions auth;
  private ClusterOptions cluster;
  private McpOptions mcp;
  private Judge0Options judge0;
  private BatchOptions batches;
  private WebhookOptions webhooks;
  private SessionOptions sessions;
  private List<RuntimeSpec> runtimes;
  private String defaultRuntime;

  /**
   * Default options: the {@link DefaultRuntimes}, {@code sh} on {@link ImageCacheOptions#DEFAULT_BASE_IMAGE}
   * being the default one.
   */
  public GatewayOptions() {
    instanceId = DEFAULT_INSTANCE_ID;
    addressPrefix = Addresses.DEFAULT_PREFIX;
    http = new HttpOptions();
    docker = new DockerOptions();
    executor = new ExecutorOptions();
    images = new ImageCacheOptions();
    auth = new AuthOptions();
    cluster = new ClusterOptions();
    mcp = new McpOptions();
    judge0 = new Judge0Options();
    batches = new BatchOptions();
    webhooks = new WebhookOptions();
    sessions = new SessionOptions();
    runtimes = new ArrayList<>(DefaultRuntimes.all());
    defaultRuntime = DEFAULT_RUNTIME;
  }

  public GatewayOptions(GatewayOptions other) {
    this(other.toJson());
  }

  /**
   * Reads options from JSON, strictly: unknown keys and ill-typed values fail with a
   * {@link ConfigException} naming the key. Keys starting with {@code //} are comments.
   */
  public GatewayOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "", ConfigException::new);
    instanceId = r.getString("instanceId", instanceId);
    addressPrefix = r.getString("addressPrefix", addressPrefix);
    http = new HttpOptions(r.getObject("http"));
    docker = new DockerOptions(r.getObject("docker"));
    executor = new ExecutorOptions(r.getObject("executor"));
    images = new ImageCacheOptions(r.getObject("images"));
    auth = new AuthOptions(r.getObject("auth"));
    cluster = new ClusterOptions(r.getObject("cluster"));
    mcp = new McpOptions(r.getObject("mcp"));
    judge0 = new Judge0Options(r.getObject("judge0"));
    batches = new BatchOptions(r.getObject("batches"));
    webhooks = new WebhookOptions(r.getObject("webhooks"));
    sessions = new SessionOptions(r.getObject("sessions"));
    JsonArray array = r.getArray("runtimes");
    if (array != null) {
      runtimes = RuntimeSpecs.fromJson(array);
    }
    defaultRuntime = r.getString("defaultRuntime", defaultRuntime);
    r.finish();
    validate();
  }

  /**
   * Checks the options as a whole.
   *
   * @return a reference to this, so the API can be used fluently
   * @throws ConfigException naming the first key that cannot work
   */
  public GatewayOptions validate() {
    if (!ID.matcher(instanceId).matches()) {
      throw new ConfigException("instanceId", "instanceId must match " + ID.pattern());
    }
    if (!ID.matcher(addressPrefix).matches()) {
      throw new ConfigException("addressPrefix", "addressPrefix must match " + ID.pattern());
    }
    RuntimeSpecs.validate(runtimes);
    if (findRuntime(defaultRuntime) == null) {
      throw new ConfigException("defaultRuntime", "defaultRuntime '" + defaultRuntime + "' names no runtime");
    }
    executor.validate();
    cluster.validate();
    if (cluster.isEnabled() && cluster.getRole().servesHttp() && http.isEnabled() && auth.isEnabled()
      && auth.getTokenSecret() == null) {
      throw new ConfigException("auth.tokenSecret", "auth.tokenSecret (EXECGATE_TOKEN_SECRET) is required on a"
        + " cluster gateway with API keys: every gateway checks browser tokens with it, and no worker may hold it"
        + " (java -jar execgate.jar generate-key prints one)");
    }
    return this;
  }

  /**
   * @param language a runtime name or alias
   * @return the runtime, with its image resolved (the base image when it names none), or {@code null}
   */
  public RuntimeSpec findRuntime(String language) {
    for (RuntimeSpec spec : runtimes) {
      if (spec.matches(language)) {
        return spec.image() == null ? spec.withImage(images.getBaseImage()) : spec;
      }
    }
    return null;
  }

  /**
   * @return the runtimes with their images resolved
   */
  public List<RuntimeSpec> resolvedRuntimes() {
    return runtimes.stream().map(s -> s.image() == null ? s.withImage(images.getBaseImage()) : s).toList();
  }

  /**
   * @return the id of this gateway's containers ({@code execgate.instance} label); containers with it that
   *   survive a crash are removed at the next start
   */
  public String getInstanceId() {
    return instanceId;
  }

  public GatewayOptions setInstanceId(String instanceId) {
    this.instanceId = instanceId;
    return this;
  }

  /**
   * @return the prefix of this gateway's event-bus addresses
   */
  public String getAddressPrefix() {
    return addressPrefix;
  }

  public GatewayOptions setAddressPrefix(String addressPrefix) {
    this.addressPrefix = addressPrefix;
    return this;
  }

  public HttpOptions getHttp() {
    return http;
  }

  public GatewayOptions setHttp(HttpOptions http) {
    this.http = http;
    return this;
  }

  public DockerOptions getDocker() {
    return docker;
  }

  public GatewayOptions setDocker(DockerOptions docker) {
    this.docker = docker;
    return this;
  }

  public ExecutorOptions getExecutor() {
    return executor;
  }

  public GatewayOptions setExecutor(ExecutorOptions executor) {
    this.executor = executor;
    return this;
  }

  /**
   * @return who may use the API
   */
  public AuthOptions getAuth() {
    return auth;
  }

  public GatewayOptions setAuth(AuthOptions auth) {
    this.auth = auth;
    return this;
  }

  /**
   * @return the Judge0-compatible API's settings
   */
  public Judge0Options getJudge0() {
    return judge0;
  }

  /**
   * @param judge0 the Judge0-compatible API's settings
   * @return a reference to this, so the API can be used fluently
   */
  public GatewayOptions setJudge0(Judge0Options judge0) {
    this.judge0 = judge0;
    return this;
  }

  /**
   * @return the Model Context Protocol endpoint's settings
   */
  public McpOptions getMcp() {
    return mcp;
  }

  /**
   * @param mcp the Model Context Protocol endpoint's settings
   * @return a reference to this, so the API can be used fluently
   */
  public GatewayOptions setMcp(McpOptions mcp) {
    this.mcp = mcp;
    return this;
  }

  /**
   * @return the settings of batches ({@code POST /v1/batches})
   */
  public BatchOptions getBatches() {
    return batches;
  }

  /**
   * @param batches the settings of batches
   * @return a reference to this, so the API can be used fluently
   */
  public GatewayOptions setBatches(BatchOptions batches) {
    this.batches = batches;
    return this;
  }

  /**
   * @return the settings of completion webhooks ({@code callbackUrl})
   */
  public WebhookOptions getWebhooks() {
    return webhooks;
  }

  /**
   * @param webhooks the settings of completion webhooks
   * @return a reference to this, so the API can be used fluently
   */
  public GatewayOptions setWebhooks(WebhookOptions webhooks) {
    this.webhooks = webhooks;
    return this;
  }

  /**
   * @return whether and how this node joins a cluster
   */
  public ClusterOptions getCluster() {
    return cluster;
  }

  public GatewayOptions setCluster(ClusterOptions cluster) {
    this.cluster = cluster;
    return this;
  }

  public ImageCacheOptions getImages() {
    return images;
  }

  public GatewayOptions setImages(ImageCacheOptions images) {
    this.images = images;
    return this;
  }

  /**
   * @return the configured runtimes; an image of {@code null} means the base image
   */
  public List<RuntimeSpec> getRuntimes() {
    return runtimes;
  }

  public GatewayOptions setRuntimes(List<RuntimeSpec> runtimes) {
    this.runtimes = new ArrayList<>(runtimes);
    return this;
  }

  /**
   * Add a runtime.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public GatewayOptions addRuntime(RuntimeSpec runtime) {
    runtimes.add(runtime);
    return this;
  }

  /**
   * @return the runtime of a request that names no language
   */
  public String getDefaultRuntime() {
    return defaultRuntime;
  }

  public GatewayOptions setDefaultRuntime(String defaultRuntime) {
    this.defaultRuntime = defaultRuntime;
    return this;
  }

  /**
   * @return the session options ({@code /v1/sessions})
   */
  public SessionOptions getSessions() {
    return sessions;
  }

  /**
   * @param sessions the session options
   * @return a reference to this, so the API can be used fluently
   */
  public GatewayOptions setSessions(SessionOptions sessions) {
    this.sessions = sessions;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("instanceId", instanceId)
      .put("addressPrefix", addressPrefix)
      .put("http", http.toJson())
      .put("docker", docker.toJson())
      .put("executor", executor.toJson())
      .put("images", images.toJson())
      .put("auth", auth.toJson())
      .put("cluster", cluster.toJson())
      .put("mcp", mcp.toJson())
      .put("judge0", judge0.toJson())
      .put("batches", batches.toJson())
      .put("webhooks", webhooks.toJson())
      .put("sessions", sessions.toJson())
      .put("runtimes", RuntimeSpecs.toJson(runtimes))
      .put("defaultRuntime", defaultRuntime);
  }

  @Override
  public String toString() {
    JsonObject json = toJson();
    AuthOptions.masked(json.getJsonObject("auth"));
    if (webhooks.getSecret() != null) {
      json.getJsonObject("webhooks").put("secret", "***");
    }
    return json.encode();
  }
}
