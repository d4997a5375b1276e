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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real gateway, {@code java -jar target/execgate.jar}, as a child process: the benchmark
 * measures it from outside, like a client, and reads its memory from /proc and jcmd.
 */
final class GatewayProcess implements AutoCloseable {

  final int port;
  final String instanceId;
  /** The JVM options the jar was started with. */
  final List<String> jvmOptions;
  /** When the jar was started ({@link System#nanoTime()}). */
  final long startedAtNanos = System.nanoTime();
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
    this(concat(List.of("-Xmx512m"), jvmArgs), instanceId, env, log, readyKey);
  }

  /**
   * Starts the jar with the JVM options {@code bin/execgate} gives it: {@code JAVA_OPTS} when set, else
   * the defaults of {@code conf/jvm.options}.
   */
  static GatewayProcess launched(String instanceId, Map<String, String> env, Path log) throws Exception {
    String javaOpts = System.getenv("JAVA_OPTS");
    List<String> options = javaOpts == null || javaOpts.isBlank() ? List.of("@" + JVM_OPTIONS)
      : List.of(javaOpts.trim().split("\\s+"));
    return new GatewayProcess(options, instanceId, env, log, null);
  }

  /**
   * The JVM options a gateway started by {@code bin/execgate} gets, unless {@code JAVA_OPTS} replaces them.
   */
  static final String JVM_OPTIONS = "conf/jvm.options";

  private GatewayProcess(List<String> jvmOptions, String instanceId, Map<String, String> env, Path log,
                         String readyKey) throws Exception {
    this.instanceId = instanceId;
    this.jvmOptions = jvmOptions;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
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

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
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
    return heapInfo()[0];
  }

  /**
   * @return the Java heap's used and committed bytes now, from jcmd's {@code GC.heap_info}: G1's heap
   *   line, or the sum of the generations' lines (Serial, Parallel)
   */
  long[] heapInfo() throws Exception {
    String out = jcmd("GC.heap_info");
    // G1: " garbage-first heap   total 262144K, used 23456K [...";
    // Serial: " def new generation   total 4928K, used 1234K [..." and " tenured generation   total ..."
    long used = 0;
    long total = 0;
    for (String line : out.split("\n")) {
      Matcher m = HEAP_LINE.matcher(line);
      if (m.find() && !line.contains("Metaspace") && !line.contains("class space")) {
        used += Long.parseLong(m.group(2)) * 1024;
        total += Long.parseLong(m.group(1)) * 1024;
      }
    }
    return new long[]{used, total};
  }

  private static final Pattern HEAP_LINE = Pattern.compile("total ([0-9]+)K, used ([0-9]+)K");

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
