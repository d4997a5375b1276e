package io.execgate.config;

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
  public static final QueueOrder DEFAULT_QUEUE_ORDER = QueueOrder.FAIR;
  public static final double DEFAULT_MAX_KEY_SHARE = 0.75;
  public static final long DEFAULT_RECORD_TTL_SECONDS = 3_600;
  public static final int DEFAULT_TMPFS_MB = 64;
  public static final int DEFAULT_NOFILE = 1024;
  public static final int DEFAULT_UID = 1000;
  public static final long DEFAULT_STREAM_RETAIN_BYTES = 4L << 20;
  public static final long DEFAULT_STREAM_GRACE_SECONDS = 300;
  public static final long DEFAULT_STREAM_GRACE_BYTES = 64L << 20;
  public static final HostMemoryCheck DEFAULT_HOST_MEMORY_CHECK = HostMemoryCheck.WARN;
  public static final int DEFAULT_HOST_MEMORY_RESERVE_MB = 2048;
  public static final long DEFAULT_SWEEP_INTERVAL_SECONDS = 60;
  public static final long DEFAULT_SWEEP_GRACE_SECONDS = 120;

  private int instances = DEFAULT_INSTANCES;
  private int maxConcurrent = DEFAULT_MAX_CONCURRENT;
  private int maxQueued = DEFAULT_MAX_QUEUED;
  private long maxQueueWaitMs = DEFAULT_MAX_QUEUE_WAIT_MS;
  private QueueOrder queueOrder = DEFAULT_QUEUE_ORDER;
  private double maxKeyShare = DEFAULT_MAX_KEY_SHARE;
  private long recordTtlSeconds = DEFAULT_RECORD_TTL_SECONDS;
  private ResourceLimits limits = ResourceLimits.DEFAULTS;
  private ResourceLimits maxLimits = ResourceLimits.DEFAULT_MAXIMA;
  private int tmpfsMb = DEFAULT_TMPFS_MB;
  private int nofile = DEFAULT_NOFILE;
  private int uid = DEFAULT_UID;
  private PoolOptions pool = new PoolOptions();
  private long streamRetainBytes = DEFAULT_STREAM_RETAIN_BYTES;
  private long streamGraceSeconds = DEFAULT_STREAM_GRACE_SECONDS;
  private long streamGraceBytes = DEFAULT_STREAM_GRACE_BYTES;
  private HostMemoryCheck hostMemoryCheck = DEFAULT_HOST_MEMORY_CHECK;
  private int hostMemoryReserveMb = DEFAULT_HOST_MEMORY_RESERVE_MB;
  private long sweepIntervalSeconds = DEFAULT_SWEEP_INTERVAL_SECONDS;
  private long sweepGraceSeconds = DEFAULT_SWEEP_GRACE_SECONDS;
  private OutputRetentionOptions outputRetention = new OutputRetentionOptions();

  public ExecutorOptions() {
  }

  public ExecutorOptions(ExecutorOptions other) {
    this(other.toJson());
  }

  public ExecutorOptions(JsonObject json) {
    this();
    ExecutorOptionsConverter.fromJson(json, this);
    validate();
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
    check("outputFilesBytes", limits.outputFilesBytes() <= maxLimits.outputFilesBytes());
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
   * @return the order in which admitted executions get run slots: fair across API keys (by weight), or
   *   first come, first served
   */
  public QueueOrder getQueueOrder() {
    return queueOrder;
  }

  /**
   * Set the order in which admitted executions get run slots.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ExecutorOptions setQueueOrder(QueueOrder queueOrder) {
    this.queueOrder = queueOrder;
    return this;
  }

  /**
   * @return the largest share of this node's run slots that one API key holds at once (at least one
   *   slot); the rest stay free for other keys even while one floods. 1: a key may take every slot.
   *   The anonymous caller of a gateway without keys, its only tenant, is not limited by it
   */
  public double getMaxKeyShare() {
    return maxKeyShare;
  }

  /**
   * Set the largest share of this node's run slots one API key holds at once.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ExecutorOptions setMaxKeyShare(double maxKeyShare) {
    this.maxKeyShare = maxKeyShare;
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
   * @return what happens at startup when {@code maxConcurrent} x {@code maxLimits.memoryMb} exceeds
   *   the engine host's memory minus {@link #getHostMemoryReserveMb()}
   */
  public HostMemoryCheck getHostMemoryCheck() {
    return hostMemoryCheck;
  }

  /**
   * Set what happens at startup when the sandboxes' worst case exceeds the engine host's memory.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ExecutorOptions setHostMemoryCheck(HostMemoryCheck hostMemoryCheck) {
    this.hostMemoryCheck = hostMemoryCheck;
    return this;
  }

  /**
   * @return the engine host's memory kept out of the sandboxes' worst case: the gateway's own JVM
   *   (when on the same host), the engine and the system
   */
  public int getHostMemoryReserveMb() {
    return hostMemoryReserveMb;
  }

  /**
   * Set the engine host's memory kept out of the sandboxes' worst case.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ExecutorOptions setHostMemoryReserveMb(int hostMemoryReserveMb) {
    this.hostMemoryReserveMb = hostMemoryReserveMb;
    return this;
  }

  /**
   * @return how often this node's containers are swept: those past any execution's deadline plus
   *   {@link #getSweepGraceSeconds()} are killed and removed
   */
  public long getSweepIntervalSeconds() {
    return sweepIntervalSeconds;
  }

  /**
   * Set how often this node's containers are swept.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ExecutorOptions setSweepIntervalSeconds(long sweepIntervalSeconds) {
    this.sweepIntervalSeconds = sweepIntervalSeconds;
    return this;
  }

  /**
   * @return how much older than the largest deadline (compile step included; for a warm container,
   *   plus the pool's {@code maxIdleSeconds}) a container must be before the sweeper kills and
   *   removes it
   */
  public long getSweepGraceSeconds() {
    return sweepGraceSeconds;
  }

  /**
   * Set how much older than the largest deadline a container must be before it is swept.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ExecutorOptions setSweepGraceSeconds(long sweepGraceSeconds) {
    this.sweepGraceSeconds = sweepGraceSeconds;
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
    JsonObject json = new JsonObject();
    ExecutorOptionsConverter.toJson(this, json);
    return json;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
