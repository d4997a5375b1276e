package io.execgate.bus;

import java.util.Objects;

/**
 * Every event-bus address of one gateway, built from its prefix so that two gateways can share one
 * {@code Vertx}: {@code <prefix>.<component>.<operation>}; and the name of every shared-data structure
 * (maps, counters) it keeps, built from the same prefix.
 */
public final class Addresses {

  public static final String DEFAULT_PREFIX = "execgate";

  /**
   * The local map of every gateway's metrics in one {@code Vertx}, keyed by prefix: fixed, so that a
   * verticle finds its gateway's metrics from the prefix alone.
   */
  public static final String METRICS_MAP = "execgate.metrics";

  private final String prefix;

  public Addresses(String prefix) {
    this.prefix = Objects.requireNonNull(prefix);
    if (prefix.isEmpty() || prefix.startsWith("__vertx")) {
      throw new IllegalArgumentException("invalid address prefix: '" + prefix + "'");
    }
  }

  public String prefix() {
    return prefix;
  }

  /** Submit an {@code ExecutionJob}; replies with an {@code Admission} or fails with capacity_exhausted. */
  public String schedulerAdmit() {
    return prefix + ".scheduler.admit";
  }

  /**
   * Submit an {@code ExecutionJob} to this node's own scheduler when the node is a cluster worker:
   * the worker agent forwards what gateways dispatch to it here.
   */
  public String schedulerNodeAdmit() {
    return prefix + ".scheduler.node-admit";
  }

  /**
   * Reserve queue places for a batch on this node's scheduler (a gateway alone, not in a cluster): a
   * {@code JsonObject} {@code {"count"}} with the owner's headers; replies with the reservation id or
   * fails with capacity_exhausted or quota_exceeded.
   */
  public String schedulerReserve() {
    return prefix + ".scheduler.reserve";
  }

  /** On this node: a {@code CallbackRequest} to deliver once its execution or batch is final. */
  public String webhookWatch() {
    return prefix + ".webhook.watch";
  }

  /** On this node: the execution id whose webhook to forget (it was not admitted). */
  public String webhookDrop() {
    return prefix + ".webhook.drop";
  }

  /** The map of batch records. */
  public String batchesMap() {
    return prefix + ".batches";
  }

  /** The map of webhook delivery states, by execution or batch id. */
  public String callbacksMap() {
    return prefix + ".callbacks";
  }

  /** Published on this node only, by a clustered scheduler: the execution id that got a run slot. */
  public String schedulerStarted() {
    return prefix + ".scheduler.started";
  }

  /** Published on this node only, by a clustered scheduler: the execution id that gave its place back. */
  public String schedulerReleased() {
    return prefix + ".scheduler.released";
  }

  /** Cluster-wide: submit an {@code ExecutionJob} to the worker node {@code nodeId}; replies with an {@code Admission}. */
  public String workerAdmit(String nodeId) {
    return prefix + ".worker." + nodeId + ".admit";
  }

  /** Cluster-wide: the {@code ImageList} of the worker node {@code nodeId}. */
  public String workerImages(String nodeId) {
    return prefix + ".worker." + nodeId + ".images";
  }

  /** Cluster-wide: an {@code ImageRequest} to the image cache of the worker node {@code nodeId}. */
  public String workerPrePull(String nodeId) {
    return prefix + ".worker." + nodeId + ".pre-pull";
  }

  /** Cluster-wide: every worker publishes its {@code WorkerAdvert} here. */
  public String workerAdverts() {
    return prefix + ".cluster.workers";
  }

  /** Ask for a run slot for an execution id; the reply comes when one is free. */
  public String schedulerAcquire() {
    return prefix + ".scheduler.acquire";
  }

  /** Where an execution id waits: replies with how many executions are ahead of it (0 when it runs). */
  public String schedulerPosition() {
    return prefix + ".scheduler.position";
  }

  /**
   * Whether an execution id's key holds more than half of the node's run slots: such a key leaves the
   * last warm container of a pool to the others. Replies with a boolean.
   */
  public String schedulerHeavy() {
    return prefix + ".scheduler.heavy";
  }

  /** Give back the slot (or queue place) of an execution id. */
  public String schedulerRelease() {
    return prefix + ".scheduler.release";
  }

  /** Tell the scheduler that the engine answers (and orphans were removed): it may admit work. */
  public String schedulerEngineReady() {
    return prefix + ".scheduler.engine-ready";
  }

  /** Hand an admitted {@code ExecutionJob} to an executor instance. */
  public String executorRun() {
    return prefix + ".executor.run";
  }

  /** The sessions' operations: a {@code SessionCall}, answered by the node's session verticle. */
  public String sessionCall() {
    return prefix + ".session.call";
  }

  /** An execution in a session ended and its sandbox was cleaned up: the session id, header {@code execution}. */
  public String sessionReleased() {
    return prefix + ".session.released";
  }

  /** Cluster-wide: a {@code SessionCall} to the session verticle of the worker node {@code nodeId}. */
  public String workerSession(String nodeId) {
    return prefix + ".worker." + nodeId + ".session";
  }

  /**
   * On this node: whether a session (the body) is held for an execution (header {@code execution}) that
   * has not reached its sandbox yet; replies with the session's JSON when it is, else null.
   */
  public String sessionHeld() {
    return prefix + ".session.held";
  }

  /** Name of the cluster-wide map of sessions' owners and workers, by a digest of the session's id. */
  public String sessionsMap() {
    return prefix + ".cluster.sessions";
  }

  /** Take a warm container for a {@code PoolKey}; replies with its id, or null when none is ready. */
  public String poolTake() {
    return prefix + ".pool.take";
  }

  /** Report the warm pools' {@code PoolState}. */
  public String poolState() {
    return prefix + ".pool.state";
  }

  /**
   * Make an image usable: an {@code ImageRequest}; replies with an {@code ImageInfo}, or fails with
   * image_not_found, image_pull_failed, registry_auth_failed or image_refused.
   */
  public String imageEnsure() {
    return prefix + ".image.ensure";
  }

  /** List the images the cache knows: replies with an {@code ImageList}. */
  public String imageList() {
    return prefix + ".image.list";
  }

  /** Report {@code Readiness}. */
  public String imageReady() {
    return prefix + ".image.ready";
  }

  /** Frames of one execution, published as they happen. */
  public String output(String executionId) {
    return prefix + ".exec." + executionId + ".output";
  }

  /**
   * Replay of one execution's retained frames: request a {@code Long} seq, the reply is a
   * {@code FramePage} from that seq. Answered for a grace period after the execution ended.
   */
  public String replay(String executionId) {
    return prefix + ".exec." + executionId + ".replay";
  }

  /** Local, one-way: the image cache's notice that one execution's image is being pulled first. */
  public String imagePulling(String executionId) {
    return prefix + ".exec." + executionId + ".pulling";
  }

  /** {@code Control} commands for one execution. */
  public String control(String executionId) {
    return prefix + ".exec." + executionId + ".control";
  }

  /**
   * Name of the shared map that holds execution records; their long texts are in pieces in the map
   * of the same name with {@code .output} appended.
   */
  public String executionsMap() {
    return prefix + ".executions";
  }

  /** Name of the cluster-wide map of live executions and the worker each runs on. */
  public String liveMap() {
    return prefix + ".cluster.live";
  }

  /** Name of the cluster-wide counter of {@code owner}'s live executions (its cluster-wide quota). */
  public String liveQuotaCounter(String owner) {
    return liveMap() + ".quota." + owner;
  }

  /**
   * Name of the shared map of what the Judge0-compatible API keeps of each submission besides its
   * record (language id, expected output's digest), for as long as the record.
   */
  public String judge0Map() {
    return prefix + ".judge0.submissions";
  }

  /** Name of the shared map of {@code Idempotency-Key} claims. */
  public String idempotencyMap() {
    return prefix + ".idempotency";
  }

  /** Name of the shared map of issued stream tokens. */
  public String tokensMap() {
    return prefix + ".tokens";
  }

  /** Name of the shared map of how many stream tokens each key holds. */
  public String tokenCountsMap() {
    return prefix + ".tokenCounts";
  }

  /** Name of the local map that holds the token signer and the failed-auth throttle of the HTTP instances. */
  public String authMap() {
    return prefix + ".auth";
  }

  /** Name of the local map of per-key rate limiters, shared by the HTTP instances. */
  public String ratesMap() {
    return prefix + ".rates";
  }

  /** Name of the local map of open streams per node and per key. */
  public String streamsMap() {
    return prefix + ".streams";
  }

  /** Name of the local map that admits large request bodies to decoding, a few at a time. */
  public String decodingMap() {
    return prefix + ".decoding";
  }
}
