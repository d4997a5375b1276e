package io.execgate.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a test cluster: the runnable jar ({@code target/execgate.jar}) as its own JVM, with a
 * config file that gives it its role, instance id and ports, on loopback.
 */
final class ClusterNode {

  private static final Path JAR = Path.of("target/execgate.jar");
  private static final Pattern WORKERS = Pattern.compile("(?m)^execgate_cluster_workers ([0-9.]+)$");
  private static final Pattern FREE_SLOTS = Pattern.compile("(?m)^execgate_cluster_free_slots ([0-9.]+)$");

  final String role;
  final String instanceId;
  final int clusterPort;
  final int httpPort;
  final Path log;
  /** The bearer every request of the tests sends. */
  final String apiKey;
  private final Path config;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process process;

  /**
   * @param settings what to change in conf/config.json besides the node's identity: executor, cluster and auth
   *                 keys, and gatewayAuth: auth keys for gateways only
   */
  ClusterNode(String role, String instanceId, int clusterPort, List<Integer> memberPorts, String clusterName,
              JsonObject settings) throws IOException {
    this.role = role;
    this.instanceId = instanceId;
    this.clusterPort = clusterPort;
    this.httpPort = role.equals("worker") ? 0 : freePort();
    JsonObject c = new JsonObject(Files.readString(Path.of("conf/config.json")));
    c.put("instanceId", instanceId);
    c.getJsonObject("http").put("port", httpPort);
    c.getJsonObject("executor").mergeIn(settings.getJsonObject("executor", new JsonObject()), true);
    c.getJsonObject("auth").mergeIn(settings.getJsonObject("auth", new JsonObject()), true);
    if (!role.equals("worker")) {
      // what only gateways hold (the token secret)
      c.getJsonObject("auth").mergeIn(settings.getJsonObject("gatewayAuth", new JsonObject()), true);
    }
    this.apiKey = settings.getString("apiKey");
    JsonArray members = new JsonArray();
    memberPorts.forEach(p -> members.add("127.0.0.1:" + p));
    c.getJsonObject("cluster").mergeIn(settings.getJsonObject("cluster", new JsonObject()))
      .put("enabled", true).put("role", role).put("name", clusterName).put("members", members)
      .put("host", "127.0.0.1").put("port", clusterPort).put("portCount", 1);
    this.config = Files.createTempFile("execgate-" + instanceId, ".json");
    Files.writeString(config, c.encodePrettily());
    this.log = Files.createTempFile("execgate-" + instanceId, ".log");
  }

  /**
   * @return a port free now and below the kernel's ephemeral range: members connect to a listed port
   *   again and again before its member listens, and a connect to an unbound port of the ephemeral
   *   range on loopback can pick that very port as its source and connect to itself (a TCP
   *   simultaneous open), which then holds the port ("Port [41681] is already in use" in CI)
   */
  static int freePort() throws IOException {
    int low = 32768;
    try {
      low = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
        .split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      // not Linux: the usual low bound
    }
    int from = 10_000;
    if (low - from >= 1_000) {
      for (int i = 0; i < 200; i++) {
        int port = ThreadLocalRandom.current().nextInt(from, low);
        try (ServerSocket s = new ServerSocket(port)) {
          return s.getLocalPort();
        } catch (IOException taken) {
          // another one
        }
      }
    }
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  ClusterNode start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
      "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().remove("EXECGATE_ROLE");
    pb.environment().put("EXECGATE_CONFIG", config.toString());
    process = pb.start();
    return this;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /**
   * SIGKILL: the JVM dies at once, as in a crash.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM: a graceful stop.
   *
   * @return whether it exited within the time
   */
  boolean stop() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return true;
    }
    process.destroy();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    return exited;
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  /**
   * @return the number of workers this gateway may dispatch to, from its /metrics, or -1 when it does not answer
   */
  int workers() {
    return gauge(WORKERS);
  }

  private int gauge(Pattern metric) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/metrics"))
        .header("authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = metric.matcher(r.body());
      return r.statusCode() == 200 && m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
    } catch (IOException | InterruptedException notYet) {
      return -1;
    }
  }

  /**
   * Waits until this gateway sees {@code slots} free run slots: what earlier tests ran has ended and
   * released its slot (a slot is held until the container is removed).
   */
  void awaitFreeSlots(int slots, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    int free;
    while ((free = gauge(FREE_SLOTS)) != slots) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("gateway " + instanceId + " sees " + free + " free slots, not " + slots
          + ", after " + timeoutMs + " ms");
      }
      Thread.sleep(100);
    }
  }

  /**
   * Waits until this gateway sees {@code n} workers ready.
   */
  void awaitWorkers(int n, long timeoutMs, ClusterNode... others) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (workers() == n) {
        return;
      }
      if (!alive()) {
        throw new AssertionError("gateway " + instanceId + " exited:\n" + logText());
      }
      Thread.sleep(200);
    }
    StringBuilder logs = new StringBuilder(logText());
    for (ClusterNode o : others) {
      logs.append("\n--- ").append(o.instanceId).append(" ---\n").append(o.logText());
    }
    throw new AssertionError("gateway " + instanceId + " does not see " + n + " workers within " + timeoutMs
      + " ms (sees " + workers() + "):\n" + logs);
  }
}
