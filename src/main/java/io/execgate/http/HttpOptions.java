package io.execgate.http;

import io.execgate.error.ConfigException;
import io.execgate.impl.JsonReader;
import io.vertx.core.json.JsonObject;

/**
 * Where the HTTP API listens and how large a request may be.
 */
public class HttpOptions {

  public static final boolean DEFAULT_ENABLED = true;
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_INSTANCES = 2;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 16L << 20;
  public static final int DEFAULT_MAX_SCRIPT_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_FILES = 64;
  public static final long DEFAULT_MAX_FILES_BYTES = 8L << 20;
  public static final int DEFAULT_MAX_STDIN_BYTES = 4 << 20;
  public static final int DEFAULT_MAX_ARGS = 256;
  public static final int DEFAULT_MAX_ENV = 256;
  public static final long DEFAULT_STREAM_BUFFER_BYTES = 1L << 20;
  public static final long DEFAULT_STREAM_KEEPALIVE_MS = 15_000;
  public static final int DEFAULT_CONTROL_RATE_PER_SECOND = 20;
  public static final int DEFAULT_CONTROL_BURST = 40;

  private boolean enabled;
  private String host;
  private int port;
  private int instances;
  private long maxRequestBytes;
  private int maxScriptBytes;
  private int maxFiles;
  private long maxFilesBytes;
  private int maxStdinBytes;
  private int maxArgs;
  private int maxEnv;
  private long streamBufferBytes;
  private long streamKeepaliveMs;
  private int controlRatePerSecond;
  private int controlBurst;

  public HttpOptions() {
    enabled = DEFAULT_ENABLED;
    host = DEFAULT_HOST;
    port = DEFAULT_PORT;
    instances = DEFAULT_INSTANCES;
    maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    maxScriptBytes = DEFAULT_MAX_SCRIPT_BYTES;
    maxFiles = DEFAULT_MAX_FILES;
    maxFilesBytes = DEFAULT_MAX_FILES_BYTES;
    maxStdinBytes = DEFAULT_MAX_STDIN_BYTES;
    maxArgs = DEFAULT_MAX_ARGS;
    maxEnv = DEFAULT_MAX_ENV;
    streamBufferBytes = DEFAULT_STREAM_BUFFER_BYTES;
    streamKeepaliveMs = DEFAULT_STREAM_KEEPALIVE_MS;
    controlRatePerSecond = DEFAULT_CONTROL_RATE_PER_SECOND;
    controlBurst = DEFAULT_CONTROL_BURST;
  }

  public HttpOptions(HttpOptions other) {
    this(other.toJson());
  }

  public HttpOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "http", ConfigException::new);
    enabled = r.getBoolean("enabled", enabled);
    host = r.getString("host", host);
    port = r.getInt("port", port, 0, 65_535);
    instances = r.getInt("instances", instances, 1, 256);
    maxRequestBytes = r.getLong("maxRequestBytes", maxRequestBytes, 1024, 1L << 31);
    maxScriptBytes = r.getInt("maxScriptBytes", maxScriptBytes, 1, Integer.MAX_VALUE);
    maxFiles = r.getInt("maxFiles", maxFiles, 1, 100_000);
    maxFilesBytes = r.getLong("maxFilesBytes", maxFilesBytes, 1, 1L << 40);
    maxStdinBytes = r.getInt("maxStdinBytes", maxStdinBytes, 0, Integer.MAX_VALUE);
    maxArgs = r.getInt("maxArgs", maxArgs, 0, 100_000);
    maxEnv = r.getInt("maxEnv", maxEnv, 0, 100_000);
    streamBufferBytes = r.getLong("streamBufferBytes", streamBufferBytes, 4096, 1L << 34);
    streamKeepaliveMs = r.getLong("streamKeepaliveMs", streamKeepaliveMs, 100, 3_600_000);
    controlRatePerSecond = r.getInt("controlRatePerSecond", controlRatePerSecond, 1, 1_000_000);
    controlBurst = r.getInt("controlBurst", controlBurst, 1, 1_000_000);
    r.finish();
  }

  /**
   * @return whether the gateway runs its own HTTP server on {@link #getHost()}:{@link #getPort()};
   *   an application that mounts {@code ExecutionGateway#router()} in its own server may turn it off
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Set whether the gateway runs its own HTTP server.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * @return the interface the API binds to ({@code EXECGATE_HTTP_HOST})
   */
  public String getHost() {
    return host;
  }

  public HttpOptions setHost(String host) {
    this.host = host;
    return this;
  }

  /**
   * @return the port the API listens on, 0 for any free port ({@code EXECGATE_HTTP_PORT})
   */
  public int getPort() {
    return port;
  }

  public HttpOptions setPort(int port) {
    this.port = port;
    return this;
  }

  /**
   * @return how many HTTP verticle instances (event loops) share the port
   */
  public int getInstances() {
    return instances;
  }

  public HttpOptions setInstances(int instances) {
    this.instances = instances;
    return this;
  }

  /**
   * @return the largest request body accepted; beyond it: 413
   */
  public long getMaxRequestBytes() {
    return maxRequestBytes;
  }

  public HttpOptions setMaxRequestBytes(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
    return this;
  }

  /**
   * @return the largest {@code script}, in UTF-8 bytes
   */
  public int getMaxScriptBytes() {
    return maxScriptBytes;
  }

  public HttpOptions setMaxScriptBytes(int maxScriptBytes) {
    this.maxScriptBytes = maxScriptBytes;
    return this;
  }

  /**
   * @return how many {@code files} a request may carry
   */
  public int getMaxFiles() {
    return maxFiles;
  }

  public HttpOptions setMaxFiles(int maxFiles) {
    this.maxFiles = maxFiles;
    return this;
  }

  /**
   * @return the total size of all files of a request, decoded
   */
  public long getMaxFilesBytes() {
    return maxFilesBytes;
  }

  public HttpOptions setMaxFilesBytes(long maxFilesBytes) {
    this.maxFilesBytes = maxFilesBytes;
    return this;
  }

  /**
   * @return the largest {@code stdin}, in UTF-8 bytes
   */
  public int getMaxStdinBytes() {
    return maxStdinBytes;
  }

  public HttpOptions setMaxStdinBytes(int maxStdinBytes) {
    this.maxStdinBytes = maxStdinBytes;
    return this;
  }

  public int getMaxArgs() {
    return maxArgs;
  }

  public HttpOptions setMaxArgs(int maxArgs) {
    this.maxArgs = maxArgs;
    return this;
  }

  public int getMaxEnv() {
    return maxEnv;
  }

  public HttpOptions setMaxEnv(int maxEnv) {
    this.maxEnv = maxEnv;
    return this;
  }

  /**
   * @return the live frames (about their text length) buffered in the gateway for one client; a
   *   watcher past it drops the oldest and reads them again from the executor's retention
   *   ({@code executor.streamRetainBytes}), and is closed (4008) once further behind than that; the
   *   owner of an execution (/v1/ws, NDJSON) pauses the program's output instead
   */
  public long getStreamBufferBytes() {
    return streamBufferBytes;
  }

  public HttpOptions setStreamBufferBytes(long streamBufferBytes) {
    this.streamBufferBytes = streamBufferBytes;
    return this;
  }

  /**
   * @return the interval of WebSocket pings, SSE comments and NDJSON keepalive frames; a WebSocket
   *   peer that answers no ping for two intervals is closed
   */
  public long getStreamKeepaliveMs() {
    return streamKeepaliveMs;
  }

  public HttpOptions setStreamKeepaliveMs(long streamKeepaliveMs) {
    this.streamKeepaliveMs = streamKeepaliveMs;
    return this;
  }

  /**
   * @return the control messages ({@code signal}, {@code cancel}, {@code stdin_close}) one
   *   interactive socket may send per second, sustained; one past the rate gets an {@code error}
   *   frame {@code rate_limited} and is dropped
   */
  public int getControlRatePerSecond() {
    return controlRatePerSecond;
  }

  /**
   * Set the control messages one interactive socket may send per second, sustained.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setControlRatePerSecond(int controlRatePerSecond) {
    this.controlRatePerSecond = controlRatePerSecond;
    return this;
  }

  /**
   * @return the control messages one interactive socket may send at once; also how many of its
   *   messages may be refused within a second before the socket is closed with 4029
   */
  public int getControlBurst() {
    return controlBurst;
  }

  /**
   * Set the control messages one interactive socket may send at once (and its refusals within a
   * second before it is closed).
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setControlBurst(int controlBurst) {
    this.controlBurst = controlBurst;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("host", host)
      .put("port", port)
      .put("instances", instances)
      .put("maxRequestBytes", maxRequestBytes)
      .put("maxScriptBytes", maxScriptBytes)
      .put("maxFiles", maxFiles)
      .put("maxFilesBytes", maxFilesBytes)
      .put("maxStdinBytes", maxStdinBytes)
      .put("maxArgs", maxArgs)
      .put("maxEnv", maxEnv)
      .put("streamBufferBytes", streamBufferBytes)
      .put("streamKeepaliveMs", streamKeepaliveMs)
      .put("controlRatePerSecond", controlRatePerSecond)
      .put("controlBurst", controlBurst);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
