package io.execgate.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real gateway, {@code java -jar target/execgate.jar}, as a child process: the benchmark
 * measures it from outside, like a client, and reads its memory from /proc and jcmd.
 */
final class GatewayProcess implements AutoCloseable {

  final int port;
  final String instanceId;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  GatewayProcess(String instanceId, Map<String, String> env, Path log) throws Exception {
    this(instanceId, env, log, null);
  }

  GatewayProcess(String instanceId, Map<String, String> env, Path log, String readyKey) throws Exception {
    this(instanceId, env, log, readyKey, List.of());
  }

  /**
   * Starts the jar and waits until {@code /ready} answers 200.
   *
   * @param readyKey a key of the gateway's, to ask {@code /ready} with (null: it has none)
   * @param jvmArgs JVM arguments after {@code -Xmx512m}
   */
  GatewayProcess(String instanceId, Map<String, String> env, Path log, String readyKey, List<String> jvmArgs)
    throws Exception {
    this.instanceId = instanceId;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", "target/execgate.jar"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("EXECGATE_HTTP_PORT", String.valueOf(port));
    pb.environment().put("EXECGATE_INSTANCE_ID", instanceId);
    pb.environment().putAll(env);
    process = pb.start();
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (get("/ready", readyKey).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("gateway exited: " + Files.readString(log));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("gateway not ready within 60 s");
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(path, null);
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return post(path, null, json);
  }

  /**
   * @param key the API key to send as a bearer token, or null for none
   */
  HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
    return http.send(request(path, key).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * @param key the API key to send as a bearer token, or null for none
   */
  HttpResponse<String> post(String path, String key, String json) throws IOException, InterruptedException {
    return http.send(request(path, key).header("content-type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return http.send(request(path, null).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * @return a request of {@code path} on this gateway, with {@code key} as its bearer token unless null
   */
  HttpRequest.Builder request(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120));
    return key == null ? b : b.header("authorization", "Bearer " + key);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  HttpClient http() {
    return http;
  }

  long pid() {
    return process.pid();
  }

  /**
   * @return the process's resident set size in bytes
   */
  long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /**
   * @return used Java heap in bytes after a full GC, from jcmd
   */
  long heapUsedAfterGcBytes() throws Exception {
    jcmd("GC.run");
    return heapUsedBytes();
  }

  /**
   * @return used Java heap in bytes now (garbage included), from jcmd
   */
  long heapUsedBytes() throws Exception {
    String out = jcmd("GC.heap_info");
    // e.g. " garbage-first heap   total 262144K, used 23456K [..."
    for (String line : out.split("\n")) {
      int used = line.indexOf("used ");
      if (line.contains("heap") && line.contains("total") && used > 0) {
        String n = line.substring(used + 5).replaceAll("^([0-9]+)K.*$", "$1");
        return Long.parseLong(n) * 1024;
      }
    }
    return -1;
  }

  String jcmd(String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), command)
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
