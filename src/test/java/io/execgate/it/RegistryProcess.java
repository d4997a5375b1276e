package io.execgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real container registry for the tests: Debian's {@code docker-registry} (distribution v2),
 * run as a child process on 127.0.0.1 with its own config, storage and log file. It can be stopped
 * and started again on the same port (a registry that goes down and comes back); it is stopped by
 * its own process handle, never by name. The Docker engine treats 127.0.0.0/8 and localhost as
 * insecure registries, so plain HTTP works without any daemon configuration.
 */
final class RegistryProcess implements AutoCloseable {

  private final int port;
  private final Path storage;
  private final Path config;
  private final Path log;
  private Process process;

  /**
   * @param storage  the directory blobs and manifests live in (several registries may share one)
   * @param dir      where this registry's config and log go
   * @param htpasswd an htpasswd file to require basic auth, or {@code null}
   */
  RegistryProcess(Path storage, Path dir, String name, Path htpasswd) {
    this.port = freePort();
    this.storage = storage;
    this.config = dir.resolve(name + ".yml");
    this.log = dir.resolve(name + ".log");
    String yaml = "version: 0.1\n"
      + "log:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: false\n"
      + "storage:\n  filesystem:\n    rootdirectory: " + storage + "\n  delete:\n    enabled: true\n"
      + "http:\n  addr: 127.0.0.1:" + port + "\n"
      + (htpasswd == null ? "" : "auth:\n  htpasswd:\n    realm: execgate-test\n    path: " + htpasswd + "\n");
    try {
      Files.createDirectories(storage);
      Files.writeString(config, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @return {@code 127.0.0.1:<port>}
   */
  String address() {
    return "127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /**
   * Starts the registry and waits until it answers.
   */
  RegistryProcess start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return this;
    }
    process = new ProcessBuilder("docker-registry", "serve", config.toString())
      .redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
      .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ": "
          + Files.readString(log, StandardCharsets.UTF_8));
      }
      try {
        http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/")).timeout(Duration.ofSeconds(1))
          .build(), HttpResponse.BodyHandlers.discarding());
        return this;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("docker-registry on " + address() + " did not answer within 15 s");
  }

  /**
   * Stops the registry (SIGTERM to the process this object started, then SIGKILL if it lingers).
   */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * @return how often the engine asked for this manifest: once per pull attempt that reached the registry
   */
  long manifestRequests(String repository, String reference) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    String needle = "\"HEAD /v2/" + repository + "/manifests/" + reference + " ";
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains(needle)).count();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
