package io.execgate.executor;

import io.execgate.GatewayOptions;
import io.execgate.config.ExecutorOptions;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.ManagedContainer;
import io.execgate.docker.SessionContainers;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The backstop behind every removal: kills and removes this instance's containers that are older
 * than any execution can make them (a removal that failed again and again, a kill that never
 * reached the engine, a run whose JVM context died), running or not. A warm pool's idle container is
 * legitimately old: it may wait the pool's {@code maxIdleSeconds} before it serves its execution, so
 * containers labelled {@link ContainerLabels#WARM} get that much longer. Only containers labelled
 * with this gateway's instance id are looked at.
 */
public final class ContainerSweeper {

  private static final Logger log = LoggerFactory.getLogger(ContainerSweeper.class);

  private final ContainerRuntime runtime;
  private final String instanceId;
  private final long maxAgeSeconds;
  private final long maxWarmAgeSeconds;
  private final long maxSessionAgeSeconds;
  private boolean sweeping;

  public ContainerSweeper(ContainerRuntime runtime, GatewayOptions options) {
    this.runtime = runtime;
    this.instanceId = options.getInstanceId();
    ExecutorOptions executor = options.getExecutor();
    this.maxAgeSeconds = ceilSeconds(largestDeadlineMs(options)) + executor.getSweepGraceSeconds();
    this.maxWarmAgeSeconds = maxAgeSeconds + executor.getPool().getMaxIdleSeconds();
    // a session's sandbox lives up to its lifetime, and its last execution may begin just before that ends
    this.maxSessionAgeSeconds = maxAgeSeconds + options.getSessions().getMaxLifetimeSeconds();
  }

  /**
   * @return the longest a container may serve one execution: the run's deadline plus, when a runtime
   *   compiles, the longest compile deadline a request may ask for
   */
  static long largestDeadlineMs(GatewayOptions options) {
    long run = options.getExecutor().getMaxLimits().timeoutMs();
    long compile = 0;
    for (RuntimeSpec spec : options.getRuntimes()) {
      if (spec.compile() != null) {
        // a request may ask up to the larger of the run's maximum and the runtime's own
        compile = Math.max(compile, Math.max(run, spec.compileTimeoutMs()));
      }
    }
    return run + compile;
  }

  /**
   * @return the containers past their age limit
   */
  static List<ManagedContainer> overdue(List<ManagedContainer> containers, long nowEpochSeconds, long maxAgeSeconds,
                                        long maxWarmAgeSeconds) {
    return overdue(containers, nowEpochSeconds, maxAgeSeconds, maxWarmAgeSeconds, maxAgeSeconds);
  }

  /**
   * @return the containers past their age limit, a session's sandbox being allowed
   *   {@code maxSessionAgeSeconds}
   */
  static List<ManagedContainer> overdue(List<ManagedContainer> containers, long nowEpochSeconds, long maxAgeSeconds,
                                        long maxWarmAgeSeconds, long maxSessionAgeSeconds) {
    return containers.stream()
      .filter(c -> nowEpochSeconds - c.createdEpochSeconds()
        > (ContainerLabels.WARM.equals(c.execution()) ? maxWarmAgeSeconds
        : SessionContainers.isSession(c.execution()) ? maxSessionAgeSeconds : maxAgeSeconds))
      .toList();
  }

  /**
   * One sweep; a sweep still running makes this one a no-op.
   *
   * @return completes when the overdue containers were killed and removed (or failed to be)
   */
  public Future<Void> sweep() {
    if (sweeping) {
      return Future.succeededFuture();
    }
    sweeping = true;
    return runtime.listManaged(ContainerLabels.ofInstance(instanceId))
      .compose(all -> {
        List<ManagedContainer> overdue = overdue(all, System.currentTimeMillis() / 1000, maxAgeSeconds,
          maxWarmAgeSeconds, maxSessionAgeSeconds);
        return Future.join(overdue.stream().map(this::dispose).toList());
      })
      .onFailure(err -> log.warn("sweeping containers failed: {}", err.getMessage()))
      .<Void>mapEmpty()
      .eventually(() -> {
        sweeping = false;
        return Future.succeededFuture();
      });
  }

  private Future<Void> dispose(ManagedContainer c) {
    long age = System.currentTimeMillis() / 1000 - c.createdEpochSeconds();
    if (c.running()) {
      log.atWarn().addKeyValue("execution", c.execution()).log("killing and removing container {} ({} s old, running "
        + "past the largest deadline plus executor.sweepGraceSeconds{})", c.id(), age,
        ContainerLabels.WARM.equals(c.execution()) ? " and the pool's maxIdleSeconds" : "");
    } else {
      log.atWarn().addKeyValue("execution", c.execution()).log("removing stopped container {} ({} s old) whose "
        + "removal had failed", c.id(), age);
    }
    // the kill first: should the removal fail again, the container at least stops running
    Future<Void> killed = c.running() ? runtime.kill(c.id()).otherwiseEmpty() : Future.succeededFuture();
    return killed.compose(v -> runtime.remove(c.id()))
      .onFailure(err -> log.warn("sweeping container {} failed: {}", c.id(), err.getMessage()));
  }

  private static long ceilSeconds(long ms) {
    return (ms + 999) / 1000;
  }
}
