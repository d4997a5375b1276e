package io.execgate.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Node clients the compatibility tests drive (src/test/js: npm's {@code piston-client},
 * the MCP TypeScript SDK), installed once per clone with {@code npm ci} exactly as
 * {@code package-lock.json} pins them, and run as processes with a deadline.
 */
final class NodeClients {

  static final Path DIR = Path.of("src", "test", "js");

  private NodeClients() {
  }

  /** What a client process printed (stdout and stderr together) and how it exited. */
  record Result(int exit, String output) {
  }

  /**
   * Installs the clients unless {@code module} (a path under node_modules) is there already.
   */
  static void install(String module) throws IOException, InterruptedException {
    if (!Files.isDirectory(DIR.resolve("node_modules").resolve(module))) {
      Result npm = run(300, "npm", "ci", "--no-audit", "--no-fund", "--prefix", DIR.toString());
      assertThat(npm.exit()).as("npm ci: %s", npm.output()).isZero();
    }
  }

  /**
   * Runs {@code command}; fails with what it printed when it is still running after the deadline.
   */
  static Result run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("node-client", ".out");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(String.join(" ", command) + " still running after " + timeoutSeconds + " s: "
          + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
