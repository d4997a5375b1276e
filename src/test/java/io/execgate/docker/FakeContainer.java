package io.execgate.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One container of a {@link FakeContainerRuntime}: its spec, its streams, the thread running its
 * program (as the engine's reader thread would: its writes block while the consumer's buffer is
 * full), and how it ended. A program calls the methods below to act.
 */
public final class FakeContainer {

  private static final Pattern NONCE = Pattern.compile("EXECGATE:([0-9a-f]{32}):");


  private final String id;
  private final ContainerSpec spec;
  private final FakeContainerRuntime.Program program;
  private final CountDownLatch dead = new CountDownLatch(1);
  final List<String> signals = new ArrayList<>();
  private final ByteArrayOutputStream stdinBytes = new ByteArrayOutputStream();
  volatile AttachedOutput output;
  volatile StdinSink stdin;
  volatile boolean running;
  volatile boolean removed;
  private volatile Long exitCode;
  private volatile boolean oomKilled;
  private volatile String nonce;
  private volatile long pushedBytes;
  private volatile boolean stdinClosed;

  FakeContainer(String id, ContainerSpec spec, FakeContainerRuntime.Program program) {
    this.id = id;
    this.spec = spec;
    this.program = program;
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

  synchronized ContainerState state() {
    return new ContainerState(running, running ? null : exitCode, oomKilled, null);
  }

  void start() {
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
  public FakeContainer stdout(String text) throws InterruptedException {
    return write(false, text.getBytes(StandardCharsets.UTF_8));
  }

  public FakeContainer stderr(String text) throws InterruptedException {
    return write(true, text.getBytes(StandardCharsets.UTF_8));
  }

  public FakeContainer write(boolean toStderr, byte[] bytes) throws InterruptedException {
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

  void die(int code, boolean oom, Throwable streamError) {
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

  /** Thrown into a program that writes after its container died. */
  private static final class Dead extends RuntimeException {
    Dead() {
      super("container is dead", null, false, false);
    }
  }
}
