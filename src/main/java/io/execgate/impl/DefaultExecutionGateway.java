package io.execgate.impl;

import io.execgate.ExecutionClient;
import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.cluster.ClusterOptions;
import io.execgate.cluster.DispatcherVerticle;
import io.execgate.cluster.WorkerAgentVerticle;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.DockerContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.executor.ExecutorVerticle;
import io.execgate.executor.SchedulerVerticle;
import io.execgate.executor.WarmPoolVerticle;
import io.execgate.http.HttpGatewayVerticle;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.image.ImageCacheVerticle;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
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
  private final List<String> deployments = Collections.synchronizedList(new ArrayList<>());
  private static final long ENGINE_WATCH_MS = 2_000;
  private static final long SWEEP_MS = 60_000;

  private ExecutionStore store;
  private int port = -1;
  private long engineWatch = -1;
  private long sweeper = -1;
  private Future<Void> closing;

  private DefaultExecutionGateway(Vertx vertx, GatewayOptions options, ContainerRuntime runtime) {
    this.vertx = vertx;
    this.options = options;
    this.runtime = runtime;
  }

  public static Future<ExecutionGateway> deploy(Vertx vertx, GatewayOptions options) {
    GatewayOptions opts;
    try {
      opts = new GatewayOptions(options).validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    ClusterOptions cluster = opts.getCluster();
    if (cluster.isEnabled() && !vertx.isClustered()) {
      return Future.failedFuture(new IllegalArgumentException("cluster.enabled needs a clustered Vertx: build it with "
        + "ClusterSupport.configure(Vertx.builder(), options, cluster).buildClustered()"));
    }
    Codecs.registerAll(vertx.eventBus());
    GatewayMetrics.create(vertx, opts.getAddressPrefix());
    ContainerRuntime runtime = new DockerContainerRuntime(vertx, opts.getDocker());
    DefaultExecutionGateway gateway = new DefaultExecutionGateway(vertx, opts, runtime);
    // a gateway node of a cluster has no engine of its own: its workers do
    Future<Void> engine = cluster.getRole().runsWork() ? runtime.ping() : Future.succeededFuture();
    return engine
      .transform(ping -> {
        if (ping.succeeded()) {
          Future<Void> reaped = cluster.getRole().runsWork() ? gateway.reapOrphans() : Future.succeededFuture();
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
          gateway.sweeper = vertx.setPeriodic(SWEEP_MS, t -> gateway.sweep());
        }
        if (cluster.getRole().servesHttp()) {
          gateway.warnIfOpen();
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
      .compose(v -> reapOrphans())
      .compose(v -> vertx.eventBus().request(new Addresses(options.getAddressPrefix()).schedulerEngineReady(), true))
      .onSuccess(v -> log.info("the Docker engine answers: taking executions"))
      .onFailure(err -> {
        if (closing == null) {
          awaitEngine();
        }
      }));
  }

  /**
   * Removes stopped containers of this instance that are older than any execution can be: those
   * whose removal failed (e.g. while the engine restarted).
   */
  private void sweep() {
    var limits = options.getExecutor().getMaxLimits();
    long maxAgeSeconds = (limits.timeoutMs() + 60_000) / 1000 + 600;
    runtime.listStopped(ContainerLabels.ofInstance(options.getInstanceId()),
        System.currentTimeMillis() / 1000 - maxAgeSeconds)
      .onSuccess(ids -> {
        if (!ids.isEmpty()) {
          log.warn("removing {} stopped container(s) whose removal had failed", ids.size());
          ids.forEach(runtime::remove);
        }
      });
  }

  private Future<Void> reapOrphans() {
    return runtime.list(ContainerLabels.ofInstance(options.getInstanceId()))
      .compose(ids -> {
        if (!ids.isEmpty()) {
          log.warn("removing {} container(s) left by a previous run of instance '{}'", ids.size(),
            options.getInstanceId());
        }
        List<Future<Void>> removals = ids.stream().map(runtime::remove).toList();
        return Future.join(removals).mapEmpty();
      });
  }

  private Future<Void> deployVerticles(boolean engineReady) {
    String prefix = options.getAddressPrefix();
    ClusterOptions cluster = options.getCluster();
    Future<Void> chain = Future.succeededFuture();
    if (cluster.getRole().runsWork()) {
      chain = chain.compose(v -> deploy(() -> new ImageCacheVerticle(options, runtime), new DeploymentOptions()))
        .compose(v -> deploy(() -> new SchedulerVerticle(prefix, options.getExecutor(), engineReady,
          cluster.isEnabled()), new DeploymentOptions()))
        .compose(v -> deploy(() -> new WarmPoolVerticle(options, runtime), new DeploymentOptions()))
        .compose(v -> deploy(ExecutorVerticle.instances(options, runtime), new DeploymentOptions()
          .setThreadingModel(ThreadingModel.WORKER)
          .setInstances(options.getExecutor().getInstances())));
      if (cluster.isEnabled()) {
        // last: it takes work from the gateways once everything that runs it is up (and stops taking it first)
        chain = chain.compose(v -> deploy(() -> new WorkerAgentVerticle(options), new DeploymentOptions()));
      }
    }
    if (cluster.getRole().servesHttp()) {
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
    return vertx.deployVerticle(supplier, o).map(id -> {
      deployments.add(id);
      return null;
    });
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
