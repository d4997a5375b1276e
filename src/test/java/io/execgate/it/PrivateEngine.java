package io.execgate.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of the test's own, next to the shared one: its own data root, exec root, pid file,
 * socket and bridge, and no iptables rules, so it touches nothing of the other engine. Started with
 * extra daemon flags (e.g. {@code --userns-remap=default}), stopped by its pid.
 * <p>
 * Its bridge is one the test creates: {@code --bridge none} would make dockerd delete the host's
 * {@code docker0}, which the other engine uses.
 */
final class PrivateEngine implements AutoCloseable {

  private final Path dir;
  private final String socket;
  private final String bridge;
  private final Process dockerd;

  private PrivateEngine(Path dir, String socket, String bridge, Process dockerd) {
    this.dir = dir;
    this.socket = socket;
    this.bridge = bridge;
    this.dockerd = dockerd;
  }

  /**
   * Starts one, or skips the calling test when this machine cannot (not root, no dockerd), unless
   * CI=true, where that is a failure.
   */
  static PrivateEngine start(String... flags) throws Exception {
    String problem = null;
    if (!"root".equals(System.getProperty("user.name"))) {
      problem = "a second Docker engine needs root";
    } else if (new ProcessBuilder("sh", "-c", "command -v dockerd").start().waitFor() != 0) {
      problem = "no dockerd binary";
    }
    if (problem != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(problem);
      }
      Assumptions.abort(problem);
    }
    String id = UUID.randomUUID().toString().substring(0, 8);
    Path dir = Files.createTempDirectory("execgate-engine-" + id);
    // a remapped root must be able to traverse down to its data root
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    String socket = "unix:///run/execgate-engine-" + id + ".sock";
    String bridge = "egbr" + id;
    int net = 100 + java.util.concurrent.ThreadLocalRandom.current().nextInt(150);
    run("ip link add " + bridge + " type bridge && ip addr add 10.199." + net + ".1/24 dev " + bridge
      + " && ip link set " + bridge + " up");
    List<String> command = new ArrayList<>(List.of("dockerd",
      "--data-root", dir.resolve("data").toString(),
      "--exec-root", dir.resolve("exec").toString(),
      "--pidfile", dir.resolve("dockerd.pid").toString(),
      "-H", socket,
      "--bridge", bridge, "--iptables=false", "--ip-masq=false"));
    command.addAll(List.of(flags));
    Process dockerd = new ProcessBuilder(command)
      .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
      .redirectOutput(dir.resolve("dockerd.log").toFile())
      .redirectErrorStream(true)
      .start();
    PrivateEngine engine = new PrivateEngine(dir, socket, bridge, dockerd);
    long deadline = System.currentTimeMillis() + 60_000;
    while (engine.dockerExit("info") != 0) {
      if (!dockerd.isAlive() || System.currentTimeMillis() > deadline) {
        String log = Files.readString(dir.resolve("dockerd.log"));
        engine.close();
        throw new IllegalStateException("the private dockerd did not come up: " + log.substring(Math.max(0,
          log.length() - 2000)));
      }
      Thread.sleep(300);
    }
    return engine;
  }

  String host() {
    return socket;
  }

  /**
   * Copies an image of the shared engine into this one.
   */
  void load(String image) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "docker save " + image + " | docker -H " + socket + " load -q")
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("loading " + image + " failed: " + out);
    }
  }

  /**
   * @return what the daemon's log says (for assertion messages)
   */
  String log() throws Exception {
    return Files.readString(dir.resolve("dockerd.log"));
  }

  private int dockerExit(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker", "-H", socket));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
      .start();
    return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  /**
   * Stops the daemon (SIGTERM, by its pid; it stops its containers and its containerd) and removes
   * its directories.
   */
  @Override
  public void close() throws Exception {
    dockerd.destroy();
    if (!dockerd.waitFor(60, TimeUnit.SECONDS)) {
      dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Files.deleteIfExists(Path.of(socket.substring("unix://".length())));
    new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
    run("ip link del " + bridge);
  }

  private static void run(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(command + " failed: " + out);
    }
  }
}
