package io.execgate.impl;

import io.execgate.GatewayOptions;
import io.execgate.config.ConfigException;
import io.execgate.config.ExecutorOptions;
import io.execgate.config.HostMemoryCheck;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.RuncAdvisories;
import io.execgate.docker.RuncVersion;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.executor.HostMemory;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a node that runs work checks of its engine before it takes work (at startup, or once a late
 * engine answers): a runc without a known breakout, the OCI runtimes the configuration names, the host's
 * memory against the sandboxes' worst case; and the containers a previous run of this instance left.
 */
final class EngineChecks {

  private static final Logger log = LoggerFactory.getLogger(EngineChecks.class);

  private final GatewayOptions options;
  private final ContainerRuntime runtime;

  EngineChecks(GatewayOptions options, ContainerRuntime runtime) {
    this.options = options;
    this.runtime = runtime;
  }

  /**
   * Whether the engine may run sandboxes: a runc without a known breakout, and every OCI runtime the
   * configuration names.
   */
  Future<Void> engine() {
    return checkRunc().compose(v -> checkOciRuntimes());
  }

  /**
   * Refuses OCI runtimes the engine does not have: every sandbox of theirs would fail at creation.
   */
  private Future<Void> checkOciRuntimes() {
    Map<String, String> wanted = new LinkedHashMap<>();
    if (options.getDocker().getOciRuntime() != null) {
      wanted.put("docker.ociRuntime", options.getDocker().getOciRuntime());
    }
    List<RuntimeSpec> runtimes = options.getRuntimes();
    for (int i = 0; i < runtimes.size(); i++) {
      if (runtimes.get(i).ociRuntime() != null) {
        wanted.put("runtimes[" + i + "].ociRuntime", runtimes.get(i).ociRuntime());
      }
    }
    if (wanted.isEmpty()) {
      return Future.succeededFuture();
    }
    return runtime.ociRuntimes().compose(known -> {
      for (Map.Entry<String, String> e : wanted.entrySet()) {
        if (!known.contains(e.getValue())) {
          return Future.failedFuture(new ConfigException(e.getKey(), e.getKey() + " names the OCI runtime '"
            + e.getValue() + "', which the Docker engine at " + options.getDocker().getHost() + " does not have (it has "
            + new TreeSet<>(known) + "): declare it in the engine's daemon.json \"runtimes\", or drop the setting"));
        }
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Refuses an engine whose runc has a known container breakout, unless
   * {@code docker.refuseVulnerableRuntime} is false; says what it found in one line either way.
   */
  private Future<Void> checkRunc() {
    return runtime.runcVersion().transform(ar -> {
      if (ar.failed()) {
        log.warn("the Docker engine does not tell its runc version ({}); it is not checked against known breakouts",
          ar.cause().getMessage());
        return Future.succeededFuture();
      }
      RuncVersion runc = ar.result();
      if (runc == null) {
        log.info("the Docker engine names no runc; the sandboxes' OCI runtime is not checked against known breakouts");
        return Future.succeededFuture();
      }
      RuncAdvisories.Verdict verdict = runc.assess();
      if (!verdict.known()) {
        log.warn("{}", verdict.describe());
      } else if (!verdict.vulnerable()) {
        log.info("{}", verdict.describe());
      } else if (options.getDocker().isRefuseVulnerableRuntime()) {
        return Future.failedFuture(new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "the Docker engine at "
          + options.getDocker().getHost() + " runs " + verdict.describe() + ": a sandbox could escape; upgrade runc, or "
          + "set docker.refuseVulnerableRuntime to false to run anyway"));
      } else {
        log.warn("{}: a sandbox could escape; running anyway because docker.refuseVulnerableRuntime is false",
          verdict.describe());
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Compares the sandboxes' worst case with the engine host's memory: a warning, or in
   * {@code refuse} mode a {@link ConfigException} that stops the start.
   */
  Future<Void> hostMemory() {
    ExecutorOptions executor = options.getExecutor();
    if (executor.getHostMemoryCheck() == HostMemoryCheck.OFF) {
      return Future.succeededFuture();
    }
    return runtime.hostMemoryBytes()
      .recover(err -> {
        log.warn("cannot read the engine host's memory ({}); the sandboxes' worst case is not checked",
          err.getMessage());
        return Future.succeededFuture(0L);
      })
      .compose(bytes -> {
        String problem = HostMemory.problem(executor, bytes);
        if (problem == null) {
          return Future.succeededFuture();
        }
        if (executor.getHostMemoryCheck() == HostMemoryCheck.REFUSE) {
          return Future.failedFuture(new ConfigException("executor.hostMemoryCheck", problem + "; lower "
            + "executor.maxConcurrent or executor.maxLimits.memoryMb, or set executor.hostMemoryCheck to warn"));
        }
        log.warn("{}: under memory pressure the kernel's OOM killer picks sandboxes first (their oom_score_adj is "
          + "1000), so executions may be killed below their own memory limits", problem);
        return Future.succeededFuture();
      });
  }

  Future<Void> reapOrphans() {
    return runtime.list(ContainerLabels.ofInstance(options.getInstanceId()))
      .compose(ids -> {
        if (!ids.isEmpty()) {
          log.warn("removing {} container(s) left by a previous run of instance '{}'", ids.size(),
            options.getInstanceId());
        }
        return Future.join(ids.stream().map(runtime::remove).toList()).mapEmpty();
      });
  }
}
