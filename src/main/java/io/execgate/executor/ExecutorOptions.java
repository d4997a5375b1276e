package io.execgate.executor;

import io.execgate.error.ConfigException;
import io.execgate.impl.JsonReader;
import io.execgate.model.ResourceLimits;
import io.vertx.core.json.JsonObject;

/**
 * How executions are admitted and run: concurrency, queue, default limits and the operator's
 * maxima, and the sandbox's fixed settings.
 */
public class ExecutorOptions {

  public static final int DEFAULT_INSTANCES = 2;
  public static final int DEFAULT_MAX_CONCURRENT = 16;
  public static final int DEFAULT_MAX_QUEUED = 256;
  public static final long DEFAULT_MAX_QUEUE_WAIT_MS = 300_000;
  public static final long DEFAULT_RECORD_TTL_SECONDS = 3_600;
  public static final int DEFAULT_TMPFS_MB = 64;
  public static final int DEFAULT_NOFILE = 1024;
  public static final int DEFAULT_UID = 1000;
  public static final long DEFAULT_STREAM_RETAIN_BYTES = 4L << 20;
  public static final long DEFAULT_STREAM_GRACE_SECONDS = 300;
  public static final long DEFAULT_STREAM_GRACE_BYTES = 64L << 20;

  private int instances;
  private int maxConcurrent;
  private int maxQueued;
  private long maxQueueWaitMs;
  private long recordTtlSeconds;
  private ResourceLimits limits;
  private ResourceLimits maxLimits;
  private int tmpfsMb;
  private int nofile;
  private int uid;
  private PoolOptions pool;
  private long streamRetainBytes;
  private long streamGraceSeconds;
  private long streamGraceBytes;
  private OutputRetentionOptions outputRetention;

  public ExecutorOptions() {
    instances = DEFAULT_INSTANCES;
    maxConcurrent = DEFAULT_MAX_CONCURRENT;
    maxQueued = DEFAULT_MAX_QUEUED;
    maxQueueWaitMs = DEFAULT_MAX_QUEUE_WAIT_MS;
    recordTtlSeconds = DEFAULT_RECORD_TTL_SECONDS;
    limits = ResourceLimits.DEFAULTS;
    maxLimits = ResourceLimits.DEFAULT_MAXIMA;
    tmpfsMb = DEFAULT_TMPFS_MB;
    nofile = DEFAULT_NOFILE;
    uid = DEFAULT_UID;
    pool = new PoolOptions();
    streamRetainBytes = DEFAULT_STREAM_RETAIN_BYTES;
    streamGraceSeconds = DEFAULT_STREAM_GRACE_SECONDS;
    streamGraceBytes = DEFAULT_STREAM_GRACE_BYTES;
    outputRetention = new OutputRetentionOptions();
  }

  public ExecutorOptions(ExecutorOptions other) {
    this(other.toJson());
  }

  public ExecutorOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "executor", ConfigException::new);
    instances = r.getInt("instances", instances, 1, 256);
    maxConcurrent = r.getInt("maxConcurrent", maxConcurrent, 1, 100_000);
    maxQueued = r.getInt("maxQueued", maxQueued, 0, 1_000_000);
    maxQueueWaitMs = r.getLong("maxQueueWaitMs", maxQueueWaitMs, 1_000, 86_400_000);
    recordTtlSeconds = r.getLong("recordTtlSeconds", recordTtlSeconds, 1, 31_536_000);
    maxLimits = readLimits(r.child("maxLimits"), maxLimits);
    limits = readLimits(r.child("limits"), limits);
    tmpfsMb = r.getInt("tmpfsMb", tmpfsMb, 1, 1 << 20);
    nofile = r.getInt("nofile", nofile, 16, 1 << 20);
    uid = r.getInt("uid", uid, 1, Integer.MAX_VALUE);
    pool = new PoolOptions(r.getObject("pool"));
    streamRetainBytes = r.getLong("streamRetainBytes", streamRetainBytes, 4096, 1L << 40);
    streamGraceSeconds = r.getLong("streamGraceSeconds", streamGraceSeconds, 0, 86_400);
    streamGraceBytes = r.getLong("streamGraceBytes", streamGraceBytes, 0, 1L << 40);
    outputRetention = new OutputRetentionOptions(r.getObject("outputRetention"));
    r.finish();
    validate();
  }

  private static ResourceLimits readLimits(JsonReader r, ResourceLimits def) {
    ResourceLimits limits = new ResourceLimits(
      r.getLong("timeoutMs", def.timeoutMs(), 100, 86_400_000),
      r.getInt("memoryMb", def.memoryMb(), 6, 1 << 20),
      r.getDouble("cpus", def.cpus(), 0.01, 1024),
      r.getInt("pids", def.pids(), 8, 1 << 22),
      r.getLong("outputBytes", def.outputBytes(), 1, 1L << 40));
    r.finish();
    return limits;
  }

  /**
   * Checks that the defaults lie within the maxima.
   *
   * @throws ConfigException naming the first default above its maximum
   */
  public ExecutorOptions validate() {
    check("timeoutMs", limits.timeoutMs() <= maxLimits.timeoutMs());
    check("memoryMb", limits.memoryMb() <= maxLimits.memoryMb());
    check("cpus", limits.cpus() <= maxLimits.cpus());
    check("pids", limits.pids() <= maxLimits.pids());
    check("outputBytes", limits.outputBytes() <= maxLimits.outputBytes());
    return this;
  }

  private static void check(String key, boolean ok) {
    if (!ok) {
      throw new ConfigException("executor.limits." + key,
        "executor.limits." + key + " is above executor.maxLimits." + key);
    }
  }

  /**
   * @return how many executor verticle instances (worker) run executions
   */
  public int getInstances() {
    return instances;
  }

  public ExecutorOptions setInstances(int instances) {
    this.instances = instances;
    return this;
  }

  /**
   * @return how many containers may run at once on this node
   */
  public int getMaxConcurrent() {
    return maxConcurrent;
  }

  public ExecutorOptions setMaxConcurrent(int maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
    return this;
  }

  /**
   * @return how many admitted executions may wait for a slot; beyond it submits get 429
   */
  public int getMaxQueued() {
    return maxQueued;
  }

  public ExecutorOptions setMaxQueued(int maxQueued) {
    this.maxQueued = maxQueued;
    return this;
  }

  /**
   * @return how long an admitted execution may wait for a slot before it ends in {@code error}
   */
  public long getMaxQueueWaitMs() {
    return maxQueueWaitMs;
  }

  public ExecutorOptions setMaxQueueWaitMs(long maxQueueWaitMs) {
    this.maxQueueWaitMs = maxQueueWaitMs;
    return this;
  }

  /**
   * @return how long execution records stay readable after their last change
   */
  public long getRecordTtlSeconds() {
    return recordTtlSeconds;
  }

  public ExecutorOptions setRecordTtlSeconds(long recordTtlSeconds) {
    this.recordTtlSeconds = recordTtlSeconds;
    return this;
  }

  /**
   * @return the limits of a request that names none
   */
  public ResourceLimits getLimits() {
    return limits;
  }

  public ExecutorOptions setLimits(ResourceLimits limits) {
    this.limits = limits;
    return this;
  }

  /**
   * @return the operator's maxima; a request above one gets 422
   */
  public ResourceLimits getMaxLimits() {
    return maxLimits;
  }

  public ExecutorOptions setMaxLimits(ResourceLimits maxLimits) {
    this.maxLimits = maxLimits;
    return this;
  }

  /**
   * @return the size of the sandbox's /tmp (the only writable place)
   */
  public int getTmpfsMb() {
    return tmpfsMb;
  }

  public ExecutorOptions setTmpfsMb(int tmpfsMb) {
    this.tmpfsMb = tmpfsMb;
    return this;
  }

  /**
   * @return the sandbox's open-files limit
   */
  public int getNofile() {
    return nofile;
  }

  public ExecutorOptions setNofile(int nofile) {
    this.nofile = nofile;
    return this;
  }

  /**
   * @return the non-root uid (and gid) programs run as
   */
  public int getUid() {
    return uid;
  }

  public ExecutorOptions setUid(int uid) {
    this.uid = uid;
    return this;
  }

  /**
   * @return the warm pool's options
   */
  public PoolOptions getPool() {
    return pool;
  }

  public ExecutorOptions setPool(PoolOptions pool) {
    this.pool = pool;
    return this;
  }

  /**
   * @return the weight (about the text's length) of an execution's newest frames kept for replay
   *   by late joiners and resuming clients; older frames are dropped
   */
  public long getStreamRetainBytes() {
    return streamRetainBytes;
  }

  public ExecutorOptions setStreamRetainBytes(long streamRetainBytes) {
    this.streamRetainBytes = streamRetainBytes;
    return this;
  }

  /**
   * @return how long an ended execution's frames stay replayable; later its stream is rebuilt from
   *   the stored record
   */
  public long getStreamGraceSeconds() {
    return streamGraceSeconds;
  }

  public ExecutorOptions setStreamGraceSeconds(long streamGraceSeconds) {
    this.streamGraceSeconds = streamGraceSeconds;
    return this;
  }

  /**
   * @return the weight of frames kept for all ended executions of one executor instance; the
   *   oldest are dropped first
   */
  public long getStreamGraceBytes() {
    return streamGraceBytes;
  }

  public ExecutorOptions setStreamGraceBytes(long streamGraceBytes) {
    this.streamGraceBytes = streamGraceBytes;
    return this;
  }

  /**
   * @return how much output this node's records hold: per stream of a record, per node, per key
   */
  public OutputRetentionOptions getOutputRetention() {
    return outputRetention;
  }

  /**
   * @param outputRetention how much output this node's records hold
   * @return a reference to this, so the API can be used fluently
   */
  public ExecutorOptions setOutputRetention(OutputRetentionOptions outputRetention) {
    this.outputRetention = outputRetention;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("instances", instances)
      .put("maxConcurrent", maxConcurrent)
      .put("maxQueued", maxQueued)
      .put("maxQueueWaitMs", maxQueueWaitMs)
      .put("recordTtlSeconds", recordTtlSeconds)
      .put("limits", limits.toJson())
      .put("maxLimits", maxLimits.toJson())
      .put("tmpfsMb", tmpfsMb)
      .put("nofile", nofile)
      .put("uid", uid)
      .put("pool", pool.toJson())
      .put("streamRetainBytes", streamRetainBytes)
      .put("streamGraceSeconds", streamGraceSeconds)
      .put("streamGraceBytes", streamGraceBytes)
      .put("outputRetention", outputRetention.toJson());
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
