package io.execgate.docker;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.RegistryCredentials;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container engine in memory, for unit tests of what drives one: no Docker. Each call is recorded
 * ({@link #calls()}: {@code "create"}, {@code "start c1"}, ...); each can be scripted to fail or to
 * answer late ({@link #fail}, {@link #delay}). A started container runs a {@link Program} on its own
 * thread, as the engine's reader thread would: it reads the launcher's payload from stdin (so it
 * learns the end records' nonce), then writes output chunks through a real {@link AttachedOutput},
 * whose back-pressure blocks it, and ends with the launcher's end records, a death without them, an
 * OOM kill, or a broken stream. {@link #kill} ends a running program as SIGKILL would (exit 137).
 * Futures complete on the caller's context.
 */
public final class FakeContainerRuntime implements ContainerRuntime {

  /** What a container's program does once it has read its payload. */
  @FunctionalInterface
  public interface Program {
    void run(FakeContainer c) throws InterruptedException;
  }

  private final Vertx vertx;
  private final List<String> calls = new ArrayList<>();
  private final Map<String, Throwable> failures = new HashMap<>();
  private final Map<String, Long> delays = new HashMap<>();
  private final Map<String, FakeContainer> containers = new HashMap<>();
  private final long highWaterBytes;
  private volatile Program program = c -> c.exit(0);
  private int created;

  /**
   * @param highWaterBytes what an attached output buffers before the program's writes block
   */
  public FakeContainerRuntime(Vertx vertx, long highWaterBytes) {
    this.vertx = vertx;
    this.highWaterBytes = highWaterBytes;
  }

  public FakeContainerRuntime(Vertx vertx) {
    this(vertx, 1 << 20);
  }

  /**
   * @param p what every container started from now on runs
   * @return a reference to this, so the API can be used fluently
   */
  public FakeContainerRuntime program(Program p) {
    this.program = p;
    return this;
  }

  /**
   * Makes every later call of {@code operation} ({@code create}, {@code attachOutput},
   * {@code attachStdin}, {@code start}, {@code kill}, {@code signal}, {@code inspect}, {@code remove},
   * ...) fail with {@code err}.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public synchronized FakeContainerRuntime fail(String operation, Throwable err) {
    failures.put(operation, err);
    return this;
  }

  /**
   * Makes later calls of {@code operation} succeed again.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public synchronized FakeContainerRuntime heal(String operation) {
    failures.remove(operation);
    return this;
  }

  /**
   * Makes every later call of {@code operation} answer after {@code ms}.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public synchronized FakeContainerRuntime delay(String operation, long ms) {
    delays.put(operation, ms);
    return this;
  }

  /**
   * @return the calls so far, in order, each as {@code "operation"} or {@code "operation containerId"}
   */
  public synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  /**
   * @return the container created as {@code id}, or {@code null}
   */
  public synchronized FakeContainer container(String id) {
    return containers.get(id);
  }

  private synchronized <T> Future<T> call(String operation, String id, java.util.function.Supplier<T> answer) {
    calls.add(id == null ? operation : operation + " " + id);
    Throwable err = failures.get(operation);
    Long delay = delays.get(operation);
    Context ctx = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    Runnable complete = () -> {
      if (err != null) {
        promise.fail(err);
      } else {
        try {
          promise.complete(answer.get());
        } catch (RuntimeException e) {
          promise.fail(e);
        }
      }
    };
    if (delay == null || delay == 0) {
      ctx.runOnContext(v -> complete.run());
    } else {
      ctx.runOnContext(v -> vertx.setTimer(delay, t -> complete.run()));
    }
    return promise.future();
  }

  private synchronized FakeContainer require(String id) {
    FakeContainer c = containers.get(id);
    if (c == null || c.removed) {
      throw new GatewayException(ErrorCode.INTERNAL, "no such container: " + id);
    }
    return c;
  }

  @Override
  public Future<String> create(ContainerSpec spec) {
    return call("create", null, () -> {
      synchronized (this) {
        String id = "c" + (++created);
        containers.put(id, new FakeContainer(id, spec, program));
        return id;
      }
    });
  }

  @Override
  public Future<AttachedOutput> attachOutput(String containerId) {
    Context ctx = vertx.getOrCreateContext();
    return call("attachOutput", containerId, () -> {
      FakeContainer c = require(containerId);
      c.output = new AttachedOutput(ctx, highWaterBytes);
      return c.output;
    });
  }

  @Override
  public Future<StdinSink> attachStdin(String containerId) {
    return call("attachStdin", containerId, () -> {
      FakeContainer c = require(containerId);
      c.stdin = new StdinSink();
      return c.stdin;
    });
  }

  @Override
  public Future<Void> start(String containerId) {
    return call("start", containerId, () -> {
      require(containerId).start();
      return null;
    });
  }

  @Override
  public Future<Void> kill(String containerId) {
    return call("kill", containerId, () -> {
      require(containerId).die(137, false, null);
      return null;
    });
  }

  @Override
  public Future<Void> signal(String containerId, int uid, String signal) {
    return call("signal", containerId, () -> {
      FakeContainer c = require(containerId);
      synchronized (c) {
        c.signals.add(signal);
      }
      return null;
    });
  }

  @Override
  public Future<ExecStreams> exec(String containerId, int uid, List<String> command) {
    return Future.failedFuture(new UnsupportedOperationException("exec is not faked"));
  }

  @Override
  public Future<ContainerState> inspect(String containerId) {
    return call("inspect", containerId, () -> require(containerId).state());
  }

  @Override
  public Future<Void> remove(String containerId) {
    return call("remove", containerId, () -> {
      FakeContainer c;
      synchronized (this) {
        c = containers.get(containerId);
      }
      if (c != null) {
        c.die(137, false, null);
        c.removed = true;
      }
      return null;
    });
  }

  @Override
  public Future<Void> update(String containerId, long memoryBytes, long nanoCpus, int pids) {
    return call("update", containerId, () -> null);
  }

  @Override
  public Future<Void> rename(String containerId, String name) {
    return call("rename", containerId, () -> null);
  }

  @Override
  public Future<Void> ping() {
    return call("ping", null, () -> null);
  }

  @Override
  public Future<Set<String>> ociRuntimes() {
    return call("ociRuntimes", null, () -> Set.of("runc"));
  }

  @Override
  public Future<RuncVersion> runcVersion() {
    return call("runcVersion", null, () -> null);
  }

  @Override
  public Future<Boolean> imagePresent(String image) {
    return call("imagePresent", null, () -> true);
  }

  @Override
  public Future<ImageDetails> inspectImage(String image) {
    return call("inspectImage", null, () -> null);
  }

  @Override
  public Future<Void> pull(String image, long timeoutMs, RegistryCredentials credentials) {
    return call("pull", null, () -> null);
  }

  @Override
  public Future<PathStat> statPath(String containerId, String path) {
    return call("statPath", containerId, () -> null);
  }

  @Override
  public Future<List<String>> list(Map<String, String> labels) {
    return call("list", null, this::live);
  }

  @Override
  public Future<List<String>> listRunning(Map<String, String> labels) {
    return call("listRunning", null, this::live);
  }

  @Override
  public Future<List<ManagedContainer>> listManaged(Map<String, String> labels) {
    return call("listManaged", null, () -> live().stream()
      .map(id -> new ManagedContainer(id, null, containers.get(id).running, 0)).toList());
  }

  private synchronized List<String> live() {
    return containers.values().stream().filter(c -> !c.removed).map(c -> c.id()).sorted().toList();
  }

  @Override
  public Future<Long> hostMemoryBytes() {
    return call("hostMemoryBytes", null, () -> 8L << 30);
  }

  @Override
  public void close() {
    List<FakeContainer> all;
    synchronized (this) {
      all = new ArrayList<>(containers.values());
    }
    all.forEach(c -> c.die(137, false, null));
  }
}
