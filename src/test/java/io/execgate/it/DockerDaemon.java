package io.execgate.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Restarts the Docker engine that bin/setup started (its pid is in the state directory). Only a
 * test that owns the machine may do this: CI does; on a developer's machine with an engine managed
 * elsewhere the test is skipped.
 */
final class DockerDaemon {

  private DockerDaemon() {
  }

  static Path pidFile() {
    String dir = System.getenv().getOrDefault("EXECGATE_STATE_DIR", "/tmp/execgate");
    return Path.of(dir, "dockerd.pid");
  }

  static void requireRestartable() {
    if (!Files.isRegularFile(pidFile())) {
      String problem = "the engine was not started by bin/setup (no " + pidFile() + "), so it cannot be restarted";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(problem);
      }
      Assumptions.abort(problem);
    }
  }

  /**
   * Stops the engine (its containers die with it), starts it again and waits until it answers.
   */
  static void restart() throws Exception {
    Path pidFile = pidFile();
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    ProcessHandle old = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no dockerd " + pid));
    old.destroy();
    old.onExit().get(60, TimeUnit.SECONDS);
    File log = pidFile.resolveSibling("dockerd.log").toFile();
    Process dockerd = new ProcessBuilder("setsid", "dockerd")
      .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
      .redirectErrorStream(true)
      .start();
    // setsid execs dockerd in place when it is not a group leader: this pid is dockerd's
    Files.writeString(pidFile, dockerd.pid() + "\n");
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      Process info = new ProcessBuilder("docker", "info").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (info.waitFor(10, TimeUnit.SECONDS) && info.exitValue() == 0) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("dockerd did not come back within 60 s");
  }
}
