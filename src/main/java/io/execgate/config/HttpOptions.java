package io.execgate.config;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

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
  /** Most test cases one request may carry. */
  public static final int DEFAULT_MAX_TESTS = 100;
  public static final long DEFAULT_STREAM_BUFFER_BYTES = 1L << 20;
  public static final long DEFAULT_STREAM_KEEPALIVE_MS = 15_000;
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_MAX_STREAMS = 256;
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
  private int maxTests;
  private long streamBufferBytes;
  private long streamKeepaliveMs;
  private List<String> allowedHosts;
  private long headerTimeoutMs;
  private long idleTimeoutMs;
  private int maxStreams;
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
    maxTests = DEFAULT_MAX_TESTS;
    streamBufferBytes = DEFAULT_STREAM_BUFFER_BYTES;
    streamKeepaliveMs = DEFAULT_STREAM_KEEPALIVE_MS;
    allowedHosts = new ArrayList<>();
    headerTimeoutMs = DEFAULT_HEADER_TIMEOUT_MS;
    idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    maxStreams = DEFAULT_MAX_STREAMS;
    controlRatePerSecond = DEFAULT_CONTROL_RATE_PER_SECOND;
    controlBurst = DEFAULT_CONTROL_BURST;
  }

  public HttpOptions(HttpOptions other) {
    this(other.toJson());
  }

  public HttpOptions(JsonObject json) {
    this();
    HttpOptionsConverter.fromJson(json, this);
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
   * @return the most test cases ({@code tests}) one request may carry
   */
  public int getMaxTests() {
    return maxTests;
  }

  /**
   * Set the most test cases one request may carry; beyond it the request gets 400 naming {@code tests}.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setMaxTests(int maxTests) {
    this.maxTests = maxTests;
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
   * @return host names (besides {@code localhost} and IP addresses) that requests may name in their
   *   {@code Host} header when no API key is configured: others get 421, which keeps a web page on a
   *   DNS-rebinding name from driving an open gateway
   */
  public List<String> getAllowedHosts() {
    return allowedHosts;
  }

  /**
   * Set the host names requests may name when no API key is configured.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setAllowedHosts(List<String> allowedHosts) {
    this.allowedHosts = new ArrayList<>(allowedHosts);
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
   * @return how long a connection has to deliver a complete request head (request line and headers)
   *   after it opened or after its previous response ended; past it the connection is closed without
   *   an answer. A slowloris is cut here, however slowly it keeps sending; an idle keep-alive
   *   connection too
   */
  public long getHeaderTimeoutMs() {
    return headerTimeoutMs;
  }

  /**
   * Set the header deadline.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setHeaderTimeoutMs(long headerTimeoutMs) {
    this.headerTimeoutMs = headerTimeoutMs;
    return this;
  }

  /**
   * @return how long a request body may stall (no byte arriving) before the connection is closed;
   *   past this time a body must also have come at 1 KiB/s on average
   */
  public long getIdleTimeoutMs() {
    return idleTimeoutMs;
  }

  /**
   * Set how long a request body may stall.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setIdleTimeoutMs(long idleTimeoutMs) {
    this.idleTimeoutMs = idleTimeoutMs;
    return this;
  }

  /**
   * @return the streams (WebSocket and SSE watchers, interactive sockets, NDJSON submits) this gateway
   *   node holds open at once, for all callers; beyond it: 429 {@code too_many_streams}. Each key has
   *   its own limit too ({@code auth.keyDefaults.maxStreams})
   */
  public int getMaxStreams() {
    return maxStreams;
  }

  /**
   * Set the streams this node holds open at once.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public HttpOptions setMaxStreams(int maxStreams) {
    this.maxStreams = maxStreams;
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
    JsonObject json = new JsonObject();
    HttpOptionsConverter.toJson(this, json);
    return json;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
