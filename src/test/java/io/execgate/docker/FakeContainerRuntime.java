package io.execgate.docker;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.RegistryCredentials;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  private static final Pattern NONCE = Pattern.compile("EXECGATE:([0-9a-f]{32}):");

  /** What a container's program does once it has read its payload. */
  @FunctionalInterface
  public interface Program {
    void run(Container c) throws InterruptedException;
  }

  private final Vertx vertx;
  private final List<String> calls = new ArrayList<>();
  private final Map<String, Throwable> failures = new HashMap<>();
  private final Map<String, Long> delays = new HashMap<>();
  private final Map<String, Container> containers = new HashMap<>();
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
  public synchronized Container container(String id) {
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

  private synchronized Container require(String id) {
    Container c = containers.get(id);
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
        containers.put(id, new Container(id, spec));
        return id;
      }
    });
  }

  @Override
  public Future<AttachedOutput> attachOutput(String containerId) {
    Context ctx = vertx.getOrCreateContext();
    return call("attachOutput", containerId, () -> {
      Container c = require(containerId);
      c.output = new AttachedOutput(ctx, highWaterBytes);
      return c.output;
    });
  }

  @Override
  public Future<StdinSink> attachStdin(String containerId) {
    return call("attachStdin", containerId, () -> {
      Container c = require(containerId);
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
      Container c = require(containerId);
      synchronized (c) {
        c.signals.add(signal);
      }
      return null;
    });
  }

  @Override
  public Future<ContainerState> inspect(String containerId) {
    return call("inspect", containerId, () -> require(containerId).state());
  }

  @Override
  public Future<Void> remove(String containerId) {
    return call("remove", containerId, () -> {
      Container c;
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
    return containers.values().stream().filter(c -> !c.removed).map(c -> c.id).sorted().toList();
  }

  @Override
  public Future<Long> hostMemoryBytes() {
    return call("hostMemoryBytes", null, () -> 8L << 30);
  }

  @Override
  public void close() {
    List<Container> all;
    synchronized (this) {
      all = new ArrayList<>(containers.values());
    }
    all.forEach(c -> c.die(137, false, null));
  }

  /** One container: its spec, its streams, the thread running its program, and how it ended. */
  public final class Container {

    private final String id;
    private final ContainerSpec spec;
    private final CountDownLatch dead = new CountDownLatch(1);
    private final List<String> signals = new ArrayList<>();
    private final ByteArrayOutputStream stdinBytes = new ByteArrayOutputStream();
    private volatile AttachedOutput output;
    private volatile StdinSink stdin;
    private volatile boolean running;
    private volatile boolean removed;
    private volatile Long exitCode;
    private volatile boolean oomKilled;
    private volatile String nonce;
    private volatile long pushedBytes;
    private volatile boolean stdinClosed;

    Container(String id, ContainerSpec spec) {
      this.id = id;
      this.spec = spec;
    }

    public String id() {
      return id;
    }

    public ContainerSpec spec() {
      return spec;
    }

    /**
     * @return the bytes the program read from stdin after the launcher's payload
     */
    public synchronized String stdinText() {
      return stdinBytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * @return whether the program's stdin ended (all of it read)
     */
    public boolean stdinClosed() {
      return stdinClosed;
    }

    /**
     * @return the signals sent to the program, without their {@code SIG} prefix
     */
    public synchronized List<String> signals() {
      return List.copyOf(signals);
    }

    /**
     * @return how many bytes the program got into the attached output so far
     */
    public long pushedBytes() {
      return pushedBytes;
    }

    public boolean running() {
      return running;
    }

    /**
     * @return whether a removal of it succeeded
     */
    public boolean removed() {
      return removed;
    }

    private synchronized ContainerState state() {
      return new ContainerState(running, running ? null : exitCode, oomKilled, null);
    }

    private void start() {
      running = true;
      Thread t = new Thread(this::runProgram, "fake-container-" + id);
      t.setDaemon(true);
      t.start();
    }

    private void runProgram() {
      try {
        readPayload();
        program.run(this);
      } catch (InterruptedException | IOException e) {
        die(137, false, null);
      } catch (Dead e) {
        // killed while writing
      }
    }

    /**
     * Reads the launcher's header and job script from stdin, as the launcher does, then copies the rest
     * (client input) on another thread.
     */
    private void readPayload() throws IOException {
      InputStream in = stdin.input();
      StringBuilder header = new StringBuilder();
      for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
        header.append((char) b);
      }
      int length = Integer.parseInt(header.toString().split(" ")[1]);
      String script = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      Matcher m = NONCE.matcher(script);
      if (!m.find()) {
        throw new IOException("no nonce in the job script");
      }
      nonce = m.group(1);
      Thread copier = new Thread(() -> {
        byte[] buf = new byte[4096];
        try {
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            synchronized (this) {
              stdinBytes.write(buf, 0, n);
            }
          }
        } catch (IOException e) {
          // stdin dropped
        }
        stdinClosed = true;
      }, "fake-stdin-" + id);
      copier.setDaemon(true);
      copier.start();
    }

    /**
     * Writes {@code text} to stdout; blocks while the consumer's buffer is full.
     */
    public Container stdout(String text) throws InterruptedException {
      return write(false, text.getBytes(StandardCharsets.UTF_8));
    }

    public Container stderr(String text) throws InterruptedException {
      return write(true, text.getBytes(StandardCharsets.UTF_8));
    }

    public Container write(boolean toStderr, byte[] bytes) throws InterruptedException {
      if (dead.getCount() == 0) {
        throw new Dead();
      }
      output.push(toStderr, bytes, 0, bytes.length);
      pushedBytes += bytes.length;
      return this;
    }

    /**
     * Ends as the launcher does: the end record on both streams, then exit with {@code code}.
     */
    public void exit(int code) throws InterruptedException {
      exit(code, 0);
    }

    /**
     * @param oomKills the OOM kills the launcher reports in its end record
     */
    public void exit(int code, int oomKills) throws InterruptedException {
      String record = "\u001eEXECGATE:" + nonce + ":exit:" + code + ":5:4096:" + oomKills + "\u001e";
      stdout(record);
      stderr(record);
      die(code, false, null);
    }

    /**
     * Dies without end records, as when the kernel's OOM killer kills the launcher.
     */
    public void oomKill() {
      die(137, true, null);
    }

    /**
     * Dies without end records with the launcher's exit {@code code}.
     */
    public void crash(int code) {
      die(code, false, null);
    }

    /**
     * The engine's output stream fails (the engine went away); the container keeps running.
     */
    public void breakStream() {
      output.end(new IOException("connection reset by the engine"));
    }

    /**
     * Runs until killed.
     */
    public void hang() throws InterruptedException {
      dead.await();
    }

    /**
     * @return whether the program was killed within {@code ms}
     */
    public boolean sleep(long ms) throws InterruptedException {
      return dead.await(ms, TimeUnit.MILLISECONDS);
    }

    private void die(int code, boolean oom, Throwable streamError) {
      synchronized (this) {
        if (dead.getCount() == 0) {
          return;
        }
        running = false;
        exitCode = (long) code;
        oomKilled = oom;
      }
      dead.countDown();
      if (output != null) {
        output.end(streamError);
      }
    }
  }

  /** Thrown into a program that writes after its container died. */
  private static final class Dead extends RuntimeException {
    Dead() {
      super("container is dead", null, false, false);
    }
  }
}
