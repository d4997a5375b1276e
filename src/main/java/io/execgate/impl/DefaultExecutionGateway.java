package io.execgate.impl;

import io.execgate.ExecutionClient;
import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.bus.SchedulerChannel;
import io.execgate.cluster.ClusterSupport;
import io.execgate.cluster.DispatcherVerticle;
import io.execgate.cluster.SessionIds;
import io.execgate.cluster.WorkerAgentVerticle;
import io.execgate.config.ClusterOptions;
import io.execgate.config.ConfigException;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.DockerContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.executor.ContainerSweeper;
import io.execgate.executor.ExecutorVerticle;
import io.execgate.http.HttpGatewayVerticle;
import io.execgate.http.Judge0CallbackBody;
import io.execgate.webhook.WebhookVerticle;
import io.execgate.image.ConfirmedImages;
import io.execgate.image.ImageCacheVerticle;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.pool.WarmHandoff;
import io.execgate.pool.WarmPoolVerticle;
import io.execgate.scheduler.SchedulerVerticle;
import io.execgate.session.SessionVerticle;
import io.execgate.store.ExecutionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Deploys and closes the verticles of one gateway. Owns the gateway's {@link ContainerRuntime}.
 */
public final class DefaultExecutionGateway implements ExecutionGateway {

  private static final Logger log = LoggerFactory.getLogger(DefaultExecutionGateway.class);

  private final Vertx vertx;
  private final GatewayOptions options;
  private final ContainerRuntime runtime;
  private final EngineChecks checks;
  private final List<String> deployments = Collections.synchronizedList(new ArrayList<>());
  private static final long ENGINE_WATCH_MS = 2_000;

  private ExecutionStore store;
  private int port = -1;
  private long engineWatch = -1;
  private long sweeper = -1;
  private ContainerSweeper containerSweeper;
  private Future<Void> closing;
  /** Why the engine, answering after a late start, still cannot take work (logged once per cause). */
  private String engineProblem;

  private DefaultExecutionGateway(Vertx vertx, GatewayOptions options, ContainerRuntime runtime) {
    this.vertx = vertx;
    this.options = options;
    this.runtime = runtime;
    this.checks = new EngineChecks(options, runtime);
  }

  public static Future<ExecutionGateway> deploy(Vertx vertx, GatewayOptions options) {
    return deploy(vertx, options, null);
  }

  /**
   * @param meterRegistry the application's registry, where every meter is registered too, or {@code null}
   */
  public static Future<ExecutionGateway> deploy(Vertx vertx, GatewayOptions options, MeterRegistry meterRegistry) {
    GatewayOptions opts;
    try {
      opts = new GatewayOptions(options).validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    ClusterOptions cluster = opts.getCluster();
    if (cluster.isEnabled() && !vertx.isClustered()) {
      return Future.failedFuture(new IllegalArgumentException("cluster.enabled needs a clustered Vertx: build it with "
        + "ClusterSupport.configure(Vertx.builder(), options, cluster).buildClustered(), with io.vertx:vertx-hazelcast "
        + "on the classpath"));
    }
    Codecs.registerAll(vertx.eventBus());
    GatewayMetrics metrics = GatewayMetrics.create(vertx, opts.getAddressPrefix(), meterRegistry);
    ContainerRuntime runtime = new DockerContainerRuntime(vertx, opts.getDocker());
    runtime.pendingCalls().keySet().forEach(lane -> {
      metrics.gauge("execgate_engine_calls_pending", "Blocking engine calls running or waiting, by purpose", runtime,
        r -> r.pendingCalls().getOrDefault(lane, 0), "lane", lane);
      metrics.functionCounter("execgate_engine_calls_refused", "Engine calls refused because their purpose's queue "
        + "was full", () -> runtime.refusedCalls().getOrDefault(lane, 0L), "lane", lane);
    });
    DefaultExecutionGateway gateway = new DefaultExecutionGateway(vertx, opts, runtime);
    // a gateway node of a cluster has no engine of its own: its workers do
    Future<Void> engine = cluster.getRole().runsWork() ? runtime.ping() : Future.succeededFuture();
    return engine
      .transform(ping -> {
        if (ping.succeeded()) {
          Future<Void> reaped = cluster.getRole().runsWork()
            ? gateway.checks.engine().compose(v -> gateway.checks.hostMemory()).compose(v -> gateway.checks.reapOrphans())
            : Future.succeededFuture();
          return reaped.compose(v -> gateway.deployVerticles(true));
        }
        String problem = "the Docker engine at " + opts.getDocker().getHost() + " does not answer ("
          + ping.cause().getMessage() + ")";
        if (opts.getDocker().isRequireAtStartup()) {
          return Future.failedFuture(new GatewayException(ErrorCode.DOCKER_UNAVAILABLE,
            problem + "; start dockerd or point DOCKER_HOST at a running engine"));
        }
        log.warn("{}; starting anyway: /ready says so and submits get 503 until it answers", problem);
        return gateway.deployVerticles(false).onSuccess(v -> gateway.awaitEngine());
      })
      .compose(v -> ExecutionStore.open(vertx, new Addresses(opts.getAddressPrefix()).executionsMap(),
        opts.getExecutor().getRecordTtlSeconds() * 1000))
      .<ExecutionGateway>map(store -> {
        gateway.store = store;
        if (cluster.getRole().runsWork()) {
          gateway.containerSweeper = new ContainerSweeper(runtime, opts);
          gateway.sweeper = vertx.setPeriodic(opts.getExecutor().getSweepIntervalSeconds() * 1000,
            t -> gateway.containerSweeper.sweep());
        }
        if (cluster.getRole().servesHttp()) {
          gateway.warnIfOpen();
        }
        if (cluster.isEnabled() && !cluster.getTls().isEnabled()) {
          log.warn("cluster.tls is off: whoever reaches this node's event-bus port can send it messages (jobs, which "
            + "workers check again, frames and controls); Hazelcast's port gives every map, TLS or not: keep the cluster "
            + "on a private network (docs/operations.md, Scaling out)");
        }
        return gateway;
      })
      .onFailure(err -> gateway.close());
  }

  private void warnIfOpen() {
    if (!options.getAuth().isEnabled() && options.getHttp().isEnabled()) {
      String host = options.getHttp().getHost();
      String bound = HttpGatewayVerticle.bindHost(options);
      log.warn("no API keys are configured: the API is open to anyone who can reach {}:{}{}", bound, port,
        bound.equals(host) ? "" : " (not " + host + ": without keys only loopback is served; set auth.allowOpen to serve "
          + host + ")");
    }
  }

  /**
   * Waits for an engine that did not answer at startup: then removes orphans and opens admission.
   */
  private void awaitEngine() {
    engineWatch = vertx.setTimer(ENGINE_WATCH_MS, t -> runtime.ping()
      .compose(v -> checks.engine().onFailure(err -> {
        if (!err.getMessage().equals(engineProblem)) {
          log.error("the Docker engine answers but cannot run sandboxes: {}", err.getMessage());
        }
        engineProblem = err.getMessage();
      }))
      .compose(v -> checks.hostMemory())
      .compose(v -> checks.reapOrphans())
      .compose(v -> new SchedulerChannel(vertx.eventBus(), new Addresses(options.getAddressPrefix())).engineReady())
      .onSuccess(v -> log.info("the Docker engine answers: taking executions"))
      .onFailure(err -> {
        if (err instanceof ConfigException) {
          // too late to refuse the start: the work is refused instead (/ready stays 503)
          log.error("the Docker engine answers, but this gateway takes no executions: {}", err.getMessage());
        } else if (closing == null) {
          awaitEngine();
        }
      }));
  }

  private Future<Void> deployVerticles(boolean engineReady) {
    String prefix = options.getAddressPrefix();
    ClusterOptions cluster = options.getCluster();
    Future<Void> chain = Future.succeededFuture();
    if (cluster.getRole().runsWork()) {
      // node-wide hand-overs to the executors: confirmed images (no image.ensure), warm streams (no attach)
      ConfirmedImages images = new ConfirmedImages();
      WarmHandoff warm = new WarmHandoff();
      chain = chain.compose(v -> deploy(() -> new ImageCacheVerticle(options, runtime, images), new DeploymentOptions()))
        .compose(v -> deploy(() -> new SchedulerVerticle(prefix, options.getExecutor(), engineReady,
          cluster.isEnabled()), new DeploymentOptions()))
        .compose(v -> deploy(() -> new WarmPoolVerticle(options, runtime, warm), new DeploymentOptions()))
        .compose(v -> deploy(ExecutorVerticle.instances(options, runtime, images, warm), new DeploymentOptions()
          .setInstances(options.getExecutor().getInstances())));
      if (options.getSessions().isEnabled()) {
        // a session's sandbox lives on this node's engine; in a cluster, gateways route its calls here by its id
        String node = cluster.isEnabled() ? ClusterSupport.nodeId(vertx) : null;
        chain = chain.compose(v -> deploy(() -> new SessionVerticle(options, runtime, node,
          node == null ? null : SessionIds.suffix(node)), new DeploymentOptions()));
      }
      if (cluster.isEnabled()) {
        // last: it takes work from the gateways once everything that runs it is up (and stops taking it first)
        chain = chain.compose(v -> deploy(() -> new WorkerAgentVerticle(options), new DeploymentOptions()));
      }
    }
    if (cluster.getRole().servesHttp()) {
      // completion webhooks of what this node's API (or an application's router) admits
      chain = chain.compose(v -> deploy(() -> new WebhookVerticle(options,
        new Judge0CallbackBody(new Addresses(options.getAddressPrefix()))), new DeploymentOptions()));
      if (cluster.isEnabled()) {
        chain = chain.compose(v -> deploy(() -> new DispatcherVerticle(options), new DeploymentOptions()));
      }
      chain = chain.compose(v -> deployHttp());
    }
    return chain;
  }

  private Future<Void> deployHttp() {
    if (!options.getHttp().isEnabled()) {
      return Future.succeededFuture();
    }
    // with port 0, Vert.x gives every instance of one deployment the same random port
    List<HttpGatewayVerticle> instances = Collections.synchronizedList(new ArrayList<>());
    return deploy(() -> {
      HttpGatewayVerticle v = new HttpGatewayVerticle(options);
      instances.add(v);
      return v;
    }, new DeploymentOptions().setInstances(options.getHttp().getInstances()))
      .map(v -> {
        port = instances.get(0).actualPort();
        options.getHttp().setPort(port);
        return null;
      });
  }

  private Future<Void> deploy(Supplier<? extends Deployable> supplier, DeploymentOptions o) {
    return vertx.deployVerticle(supplier, o).onSuccess(deployments::add).mapEmpty();
  }

  @Override
  public GatewayOptions options() {
    return new GatewayOptions(options);
  }

  @Override
  public int actualPort() {
    return port;
  }

  @Override
  public Router router() {
    if (!options.getAuth().isEnabled()) {
      log.warn("no API keys are configured: the HTTP API this router serves is open to anyone who can reach the "
        + "application's server");
    }
    return HttpGatewayVerticle.router(vertx, options, store);
  }

  @Override
  public ExecutionClient client() {
    return ExecutionClient.create(vertx, options);
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      vertx.cancelTimer(engineWatch);
      vertx.cancelTimer(sweeper);
      // reverse order: HTTP stops intake first, executors cancel and remove their containers, the runtime goes last
      List<String> ids = new ArrayList<>(deployments);
      Collections.reverse(ids);
      Future<Void> chain = Future.succeededFuture();
      for (String id : ids) {
        chain = chain.transform(ar -> vertx.undeploy(id).otherwiseEmpty());
      }
      closing = chain.andThen(ar -> {
        runtime.close();
        GatewayMetrics.remove(vertx, options.getAddressPrefix());
      });
    }
    return closing;
  }
}
