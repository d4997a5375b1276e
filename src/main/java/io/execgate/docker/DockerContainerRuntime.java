package io.execgate.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.VersionComponent;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.execgate.config.DockerOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.RegistryCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@link ContainerRuntime} on docker-java with the httpclient5 transport. The only class that
 * talks to the engine: short calls run on a named worker pool, streams on docker-java's own threads
 * and are handed back to the caller's context.
 */
public final class DockerContainerRuntime implements ContainerRuntime {

  private static final Logger log = LoggerFactory.getLogger(DockerContainerRuntime.class);
  /**
   * Calls that may wait in the enforcement and lifecycle queues: far more than executions and warm
   * containers ever ask for at once (a few calls each), so a bound against a runaway, not a limit.
   */
  static final int INTERNAL_QUEUE = 4096;

  private final Vertx vertx;
  private final DockerOptions options;
  private final DockerClient client;
  private final DockerHttpClient http;
  private final ContainerEnforcement enforcement;
  private final EngineLane lifecycle;
  private final EngineLane clients;
  private final ImagePuller puller;
  private final ContainerAttacher attacher;

  public DockerContainerRuntime(Vertx vertx, DockerOptions options) {
    this.vertx = vertx;
    this.options = new DockerOptions(options);
    DefaultDockerClientConfig.Builder config = DefaultDockerClientConfig.createDefaultConfigBuilder()
      .withDockerHost(options.getHost());
    if (options.getApiVersion() != null) {
      config.withApiVersion(options.getApiVersion());
    }
    DefaultDockerClientConfig cfg = config.build();
    this.http = http(cfg, options.getMaxConnections());
    this.client = DockerClientImpl.getInstance(cfg, http);
    // one pool and queue per purpose: kills and removals never wait behind client-triggered calls,
    // and those cannot take the threads that create and start the other executions' containers
    String name = "execgate-docker-" + System.identityHashCode(this);
    long maxExecuteMs = options.getCallTimeoutMs() * 2;
    // kills, removals and the listings for reaping have connections of their own, one per thread of
    // their pool: attaches and pulls, which hold theirs for as long as they last, cannot leave them
    // waiting for one. Same engine, same TLS.
    this.enforcement = new ContainerEnforcement(vertx, this.options,
      DockerClientImpl.getInstance(cfg, http(cfg, options.getEnforcementPoolSize())),
      new EngineLane(vertx, name, EngineLane.Purpose.ENFORCEMENT, options.getEnforcementPoolSize(), INTERNAL_QUEUE,
        maxExecuteMs));
    this.lifecycle = new EngineLane(vertx, name, EngineLane.Purpose.LIFECYCLE, options.getWorkerPoolSize(),
      INTERNAL_QUEUE, maxExecuteMs);
    this.clients = new EngineLane(vertx, name, EngineLane.Purpose.CLIENT, options.getClientPoolSize(),
      options.getClientQueueSize(), maxExecuteMs);
    this.puller = new ImagePuller(vertx, client);
    this.attacher = new ContainerAttacher(vertx, client, options.getCallTimeoutMs());
  }

  private ApacheDockerHttpClient http(DefaultDockerClientConfig cfg, int maxConnections) {
    return new ApacheDockerHttpClient.Builder()
      .dockerHost(cfg.getDockerHost())
      .sslConfig(cfg.getSSLConfig())
      .maxConnections(maxConnections)
      .connectionTimeout(Duration.ofMillis(options.getConnectTimeoutMs()))
      .build();
  }

  private <T> Future<T> call(String what, Callable<T> task) {
    return call(lifecycle, what, task);
  }

  private <T> Future<T> call(EngineLane lane, String what, Callable<T> task) {
    return lane.call(what, task, options.getCallTimeoutMs(), options.getHost());
  }

  @Override
  public Map<String, Integer> pendingCalls() {
    EngineLane enforcing = enforcement.lane();
    return Map.of(enforcing.purpose().id, enforcing.pending(), lifecycle.purpose().id, lifecycle.pending(),
      clients.purpose().id, clients.pending());
  }

  @Override
  public Map<String, Long> refusedCalls() {
    EngineLane enforcing = enforcement.lane();
    return Map.of(enforcing.purpose().id, enforcing.refused(), lifecycle.purpose().id, lifecycle.refused(),
      clients.purpose().id, clients.refused());
  }

  @Override
  public Future<Void> ping() {
    return call("ping", () -> {
      client.pingCmd().exec();
      return null;
    });
  }

  @Override
  public Future<Set<String>> ociRuntimes() {
    return call("info", () -> {
      Map<String, ?> runtimes = client.infoCmd().exec().getRuntimes();
      return runtimes == null ? Set.of() : Set.copyOf(runtimes.keySet());
    });
  }

  @Override
  public Future<RuncVersion> runcVersion() {
    return call("version", () -> {
      List<VersionComponent> components = client.versionCmd().exec().getComponents();
      if (components == null) {
        return null;
      }
      return components.stream().filter(c -> "runc".equalsIgnoreCase(c.getName())).findFirst()
        .map(c -> new RuncVersion(c.getVersion(), c.getDetails() == null ? null : c.getDetails().get("GitCommit")))
        .orElse(null);
    });
  }

  @Override
  public Future<Boolean> imagePresent(String image) {
    return call("inspect image " + image, () -> {
      try {
        client.inspectImageCmd(image).exec();
        return true;
      } catch (NotFoundException e) {
        return false;
      }
    });
  }

  @Override
  public Future<ImageDetails> inspectImage(String image) {
    return call("inspect image " + image, () -> {
      InspectImageResponse r;
      try {
        r = client.inspectImageCmd(image).exec();
      } catch (NotFoundException e) {
        return null;
      }
      ContainerConfig config = r.getConfig();
      Map<String, ?> volumes = config == null ? null : config.getVolumes();
      return new ImageDetails(r.getId(), r.getSize() == null ? 0 : r.getSize(), r.getOs(),
        config == null ? null : config.getWorkingDir(), volumes == null ? List.of() : List.copyOf(volumes.keySet()));
    });
  }

  @Override
  public Future<Void> pull(String image, long timeoutMs, RegistryCredentials credentials) {
    return puller.pull(image, timeoutMs, credentials);
  }

  @Override
  public Future<String> create(ContainerSpec spec) {
    return call("create container", () ->
      SandboxProfile.apply(client.createContainerCmd(spec.image()), spec).exec().getId());
  }

  @Override
  public Future<PathStat> statPath(String containerId, String path) {
    // docker-java has no call for it: a HEAD of the archive carries the stat in a header and no body (a GET
    // would stream the path as a tar, and the engine keeps the container locked until that stream ends)
    return call("stat " + path, () -> {
      DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method("HEAD")
        .path("/containers/" + URLEncoder.encode(containerId, StandardCharsets.UTF_8) + "/archive?path="
          + URLEncoder.encode(path, StandardCharsets.UTF_8))
        .build();
      try (DockerHttpClient.Response response = http.execute(request)) {
        if (response.getStatusCode() == 404) {
          return null;
        }
        String header = response.getHeader("X-Docker-Container-Path-Stat");
        if (response.getStatusCode() != 200 || header == null) {
          throw new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "stat " + path + ": the engine answered "
            + response.getStatusCode());
        }
        JsonObject stat = new JsonObject(new String(Base64.getDecoder().decode(header), StandardCharsets.UTF_8));
        return new PathStat(stat.getString("name"), stat.getLong("size", 0L), stat.getLong("mode", 0L),
          stat.getString("linkTarget"));
      }
    });
  }

  @Override
  public Future<AttachedOutput> attachOutput(String containerId) {
    return attacher.attachOutput(containerId);
  }

  @Override
  public Future<StdinSink> attachStdin(String containerId) {
    return attacher.attachStdin(containerId);
  }

  @Override
  public Future<Void> start(String containerId) {
    return call("start container", () -> {
      client.startContainerCmd(containerId).exec();
      return null;
    });
  }

  @Override
  public Future<Void> kill(String containerId) {
    return enforcement.kill(containerId);
  }

  @Override
  public Future<Void> signal(String containerId, int uid, String signal) {
    return call(clients, "signal " + signal, () -> {
      String id = client.execCreateCmd(containerId)
        .withUser(uid + ":" + uid)
        .withCmd("/bin/sh", "-c", "kill -" + shellSignalName(signal) + " -1")
        .withAttachStdout(false)
        .withAttachStderr(false)
        .exec()
        .getId();
      QuietCallback started = client.execStartCmd(id).withDetach(true).exec(new QuietCallback());
      started.awaitCompletion(options.getCallTimeoutMs(), TimeUnit.MILLISECONDS);
      if (started.error != null) {
        // the program ended meanwhile ("cannot exec in a stopped state"): nobody is left to signal
        log.debug("signal {} to container {} not delivered: {}", signal, containerId, started.error.getMessage());
      }
      return null;
    });
  }

  /**
   * The form every image's shell takes: {@code kill -TERM -1}. dash (Debian's {@code /bin/sh}) reads
   * the {@code -1} of {@code kill -s TERM -1} as an option and refuses {@code -SIGTERM}; busybox
   * refuses {@code kill -s TERM -- -1}.
   */
  static String shellSignalName(String signal) {
    return signal.startsWith("SIG") ? signal.substring(3) : signal;
  }

  @Override
  public Future<ExecStreams> exec(String containerId, int uid, List<String> command) {
    return call("exec", () -> client.execCreateCmd(containerId)
        .withUser(uid + ":" + uid)
        .withCmd(command.toArray(String[]::new))
        .withAttachStdin(true)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .exec()
        .getId())
      .compose(attacher::startExec);
  }

  @Override
  public Future<ContainerState> inspect(String containerId) {
    return call("inspect container", () -> {
      InspectContainerResponse.ContainerState s = client.inspectContainerCmd(containerId).exec().getState();
      boolean running = Boolean.TRUE.equals(s.getRunning());
      String error = s.getError() == null || s.getError().isEmpty() ? null : s.getError();
      return new ContainerState(running, running ? null : s.getExitCodeLong(), Boolean.TRUE.equals(s.getOOMKilled()),
        error);
    });
  }

  @Override
  public Future<Void> update(String containerId, long memoryBytes, long nanoCpus, int pids) {
    return call("update container limits", () -> {
      client.updateContainerCmd(containerId)
        .withMemory(memoryBytes)
        .withMemorySwap(memoryBytes)
        .withNanoCPUs(nanoCpus)
        .withPidsLimit((long) pids)
        .exec();
      return null;
    });
  }

  @Override
  public Future<Void> rename(String containerId, String name) {
    return call("rename container", () -> {
      client.renameContainerCmd(containerId).withName(name).exec();
      return null;
    });
  }

  @Override
  public Future<Void> remove(String containerId) {
    return enforcement.remove(containerId);
  }

  @Override
  public Future<List<String>> list(Map<String, String> labels) {
    return enforcement.list(labels);
  }

  @Override
  public Future<List<String>> listRunning(Map<String, String> labels) {
    return enforcement.listRunning(labels);
  }

  @Override
  public Future<List<ManagedContainer>> listManaged(Map<String, String> labels) {
    return enforcement.listManaged(labels);
  }

  @Override
  public Future<Long> hostMemoryBytes() {
    return call("engine info", () -> {
      Long total = client.infoCmd().exec().getMemTotal();
      return total == null ? 0L : total;
    });
  }

  @Override
  public void close() {
    enforcement.close();
    lifecycle.close();
    clients.close();
    try {
      client.close();
    } catch (IOException e) {
      log.debug("closing a Docker client failed", e);
    }
  }
}
