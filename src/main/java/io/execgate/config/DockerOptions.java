package io.execgate.config;

import io.vertx.core.json.JsonObject;

/**
 * How the gateway reaches its Docker engine.
 */
public class DockerOptions {

  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
  public static final int DEFAULT_MAX_CONNECTIONS = 256;
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
  public static final long DEFAULT_CALL_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_WORKER_POOL_SIZE = 16;
  public static final int DEFAULT_ENFORCEMENT_POOL_SIZE = 4;
  public static final int DEFAULT_CLIENT_POOL_SIZE = 2;
  public static final int DEFAULT_CLIENT_QUEUE_SIZE = 64;
  public static final boolean DEFAULT_REQUIRE_AT_STARTUP = true;
  public static final boolean DEFAULT_REFUSE_VULNERABLE_RUNTIME = true;

  private String host;
  private String apiVersion;
  private int maxConnections;
  private long connectTimeoutMs;
  private long callTimeoutMs;
  private int workerPoolSize;
  private int enforcementPoolSize;
  private int clientPoolSize;
  private int clientQueueSize;
  private String ociRuntime;
  private boolean requireAtStartup;
  private boolean refuseVulnerableRuntime;

  public DockerOptions() {
    host = DEFAULT_HOST;
    maxConnections = DEFAULT_MAX_CONNECTIONS;
    connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
    callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS;
    workerPoolSize = DEFAULT_WORKER_POOL_SIZE;
    enforcementPoolSize = DEFAULT_ENFORCEMENT_POOL_SIZE;
    clientPoolSize = DEFAULT_CLIENT_POOL_SIZE;
    clientQueueSize = DEFAULT_CLIENT_QUEUE_SIZE;
    requireAtStartup = DEFAULT_REQUIRE_AT_STARTUP;
    refuseVulnerableRuntime = DEFAULT_REFUSE_VULNERABLE_RUNTIME;
  }

  public DockerOptions(DockerOptions other) {
    this(other.toJson());
  }

  public DockerOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "docker", ConfigException::new);
    host = r.getString("host", host);
    apiVersion = r.getString("apiVersion", null);
    maxConnections = r.getInt("maxConnections", maxConnections, 4, 100_000);
    connectTimeoutMs = r.getLong("connectTimeoutMs", connectTimeoutMs, 100, 600_000);
    callTimeoutMs = r.getLong("callTimeoutMs", callTimeoutMs, 1_000, 3_600_000);
    workerPoolSize = r.getInt("workerPoolSize", workerPoolSize, 1, 1024);
    enforcementPoolSize = r.getInt("enforcementPoolSize", enforcementPoolSize, 1, 1024);
    clientPoolSize = r.getInt("clientPoolSize", clientPoolSize, 1, 1024);
    clientQueueSize = r.getInt("clientQueueSize", clientQueueSize, 0, 1_000_000);
    ociRuntime = r.getString("ociRuntime", null);
    requireAtStartup = r.getBoolean("requireAtStartup", requireAtStartup);
    refuseVulnerableRuntime = r.getBoolean("refuseVulnerableRuntime", refuseVulnerableRuntime);
    r.finish();
  }

  /**
   * @return the engine's address, e.g. {@code unix:///var/run/docker.sock} or {@code tcp://host:2375}
   */
  public String getHost() {
    return host;
  }

  /**
   * Set the engine's address ({@code DOCKER_HOST}).
   *
   * @return a reference to this, so the API can be used fluently
   */
  public DockerOptions setHost(String host) {
    this.host = host;
    return this;
  }

  /**
   * @return the Engine API version to speak, or {@code null} to let the engine choose
   */
  public String getApiVersion() {
    return apiVersion;
  }

  public DockerOptions setApiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
    return this;
  }

  /**
   * @return the size of the HTTP connection pool to the engine; each attach holds one connection.
   *   Kills and removals have {@link #getEnforcementPoolSize()} connections of their own
   */
  public int getMaxConnections() {
    return maxConnections;
  }

  public DockerOptions setMaxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
    return this;
  }

  public long getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  public DockerOptions setConnectTimeoutMs(long connectTimeoutMs) {
    this.connectTimeoutMs = connectTimeoutMs;
    return this;
  }

  /**
   * @return the deadline of one short engine call (create, start, inspect, kill, remove)
   */
  public long getCallTimeoutMs() {
    return callTimeoutMs;
  }

  public DockerOptions setCallTimeoutMs(long callTimeoutMs) {
    this.callTimeoutMs = callTimeoutMs;
    return this;
  }

  /**
   * @return threads of the pool that runs the executions' lifecycle calls (create, start, inspect,
   *   update, rename, image checks)
   */
  public int getWorkerPoolSize() {
    return workerPoolSize;
  }

  /**
   * Set the threads of the pool that runs the executions' lifecycle calls.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public DockerOptions setWorkerPoolSize(int workerPoolSize) {
    this.workerPoolSize = workerPoolSize;
    return this;
  }

  /**
   * @return threads of the pool that kills and removes containers and lists them for reaping and
   *   sweeping, and connections to the engine of their own (one per thread, apart from
   *   {@link #getMaxConnections()}): it never waits behind other calls nor for a connection
   */
  public int getEnforcementPoolSize() {
    return enforcementPoolSize;
  }

  /**
   * Set the threads of the pool that kills, removes and lists containers.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public DockerOptions setEnforcementPoolSize(int enforcementPoolSize) {
    this.enforcementPoolSize = enforcementPoolSize;
    return this;
  }

  /**
   * @return threads of the pool that runs calls clients trigger while their executions run
   *   (signals)
   */
  public int getClientPoolSize() {
    return clientPoolSize;
  }

  /**
   * Set the threads of the pool that runs client-triggered calls (signals).
   *
   * @return a reference to this, so the API can be used fluently
   */
  public DockerOptions setClientPoolSize(int clientPoolSize) {
    this.clientPoolSize = clientPoolSize;
    return this;
  }

  /**
   * @return client-triggered calls that may wait for a thread of their pool; one more fails at once
   *   with {@code capacity_exhausted}
   */
  public int getClientQueueSize() {
    return clientQueueSize;
  }

  /**
   * Set how many client-triggered calls may wait for a thread.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public DockerOptions setClientQueueSize(int clientQueueSize) {
    this.clientQueueSize = clientQueueSize;
    return this;
  }

  /**
   * @return the OCI runtime sandboxes run with (e.g. {@code runsc} for gVisor), or {@code null} for the engine's default
   */
  public String getOciRuntime() {
    return ociRuntime;
  }

  public DockerOptions setOciRuntime(String ociRuntime) {
    this.ociRuntime = ociRuntime;
    return this;
  }

  /**
   * @return whether the gateway refuses to start without an answering engine (else it starts, reports
   *   not ready and takes work once the engine answers)
   */
  public boolean isRequireAtStartup() {
    return requireAtStartup;
  }

  public DockerOptions setRequireAtStartup(boolean requireAtStartup) {
    this.requireAtStartup = requireAtStartup;
    return this;
  }

  /**
   * @return whether the gateway refuses an engine whose runc has a known container breakout
   *   ({@link io.execgate.docker.RuncAdvisories}); when {@code false} it only says so at startup
   */
  public boolean isRefuseVulnerableRuntime() {
    return refuseVulnerableRuntime;
  }

  /**
   * Set whether an engine whose runc has a known container breakout is refused at startup.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public DockerOptions setRefuseVulnerableRuntime(boolean refuseVulnerableRuntime) {
    this.refuseVulnerableRuntime = refuseVulnerableRuntime;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("host", host)
      .put("apiVersion", apiVersion)
      .put("maxConnections", maxConnections)
      .put("connectTimeoutMs", connectTimeoutMs)
      .put("callTimeoutMs", callTimeoutMs)
      .put("workerPoolSize", workerPoolSize)
      .put("enforcementPoolSize", enforcementPoolSize)
      .put("clientPoolSize", clientPoolSize)
      .put("clientQueueSize", clientQueueSize)
      .put("ociRuntime", ociRuntime)
      .put("requireAtStartup", requireAtStartup)
      .put("refuseVulnerableRuntime", refuseVulnerableRuntime);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
