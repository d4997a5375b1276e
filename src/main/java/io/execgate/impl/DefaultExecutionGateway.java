package io.execgate.impl;

import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.bus.Codecs;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.DockerContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.executor.ExecutorVerticle;
import io.execgate.executor.SchedulerVerticle;
import io.execgate.executor.WarmPoolVerticle;
import io.execgate.http.HttpGatewayVerticle;
import io.execgate.image.ImageCacheVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
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
  private int port;
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
    Codecs.registerAll(vertx.eventBus());
    ContainerRuntime runtime = new DockerContainerRuntime(vertx, opts.getDocker());
    DefaultExecutionGateway gateway = new DefaultExecutionGateway(vertx, opts, runtime);
    return runtime.ping()
      .recover(err -> Future.failedFuture(new GatewayException(ErrorCode.DOCKER_UNAVAILABLE,
        "the Docker engine at " + opts.getDocker().getHost() + " does not answer (" + err.getMessage()
          + "); start dockerd or point DOCKER_HOST at a running engine")))
      .compose(v -> gateway.reapOrphans())
      .compose(v -> gateway.deployVerticles())
      .<ExecutionGateway>map(v -> gateway)
      .onFailure(err -> gateway.close());
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

  private Future<Void> deployVerticles() {
    String prefix = options.getAddressPrefix();
    return deploy(() -> new ImageCacheVerticle(options, runtime), new DeploymentOptions())
      .compose(v -> deploy(() -> new SchedulerVerticle(prefix, options.getExecutor()), new DeploymentOptions()))
      .compose(v -> deploy(() -> new WarmPoolVerticle(options, runtime), new DeploymentOptions()))
      .compose(v -> deploy(() -> new ExecutorVerticle(options, runtime), new DeploymentOptions()
        .setThreadingModel(ThreadingModel.WORKER)
        .setInstances(options.getExecutor().getInstances())))
      .compose(v -> deployHttp());
  }

  private Future<Void> deployHttp() {
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
  public synchronized Future<Void> close() {
    if (closing == null) {
      // reverse order: HTTP stops intake first, executors cancel and remove their containers, the runtime goes last
      List<String> ids = new ArrayList<>(deployments);
      Collections.reverse(ids);
      Future<Void> chain = Future.succeededFuture();
      for (String id : ids) {
        chain = chain.transform(ar -> vertx.undeploy(id).otherwiseEmpty());
      }
      closing = chain.andThen(ar -> runtime.close());
    }
    return closing;
  }
}
