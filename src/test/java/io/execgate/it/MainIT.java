package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import io.execgate.docker.ContainerLabels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runnable jar as operators use it: clear failures at startup, orphans reaped, a graceful stop
 * on SIGTERM that leaves no container behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MainIT {

  private static final Path JAR = Path.of("target/execgate.jar");
  private DockerClient docker;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void requireDocker() {
    DockerSupport.requireDocker();
    docker = DockerSupport.client();
  }

  @AfterAll
  void close() throws IOException {
    if (docker != null) {
      docker.close();
    }
  }

  private Process start(Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
      JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("EXECGATE_CONFIG");
    pb.environment().putAll(env);
    return pb.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void anInvalidConfigIsOneClearLineAndExitCode2() throws Exception {
    Path log = Files.createTempFile("execgate", ".log");
    Process p = start(Map.of("EXECGATE_HTTP_PORT", "eighty"), log);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    String out = Files.readString(log, StandardCharsets.UTF_8).strip();
    assertThat(out.lines().count()).as(out).isEqualTo(1);
    assertThat(out).contains("EXECGATE_HTTP_PORT").contains("eighty");
  }

  @Test
  void aWeakApiKeyIsRefusedAtStartupInOneLineNamingIt() throws Exception {
    Path log = Files.createTempFile("execgate", ".log");
    String strong = io.execgate.auth.ApiKey.generate();
    Process p = start(Map.of("EXECGATE_API_KEYS", "ci=" + strong + ",weak-one=s3cret",
      "EXECGATE_HTTP_PORT", String.valueOf(freePort())), log);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    String out = Files.readString(log, StandardCharsets.UTF_8).strip();
    assertThat(out.lines().count()).as(out).isEqualTo(1);
    assertThat(out).contains("'weak-one'").contains("128").contains("generate-key").doesNotContain("s3cret")
      .doesNotContain(strong);
  }

  @Test
  void aClusterGatewayWithKeysButNoTokenSecretIsRefusedInOneLine() throws Exception {
    Path log = Files.createTempFile("execgate", ".log");
    Process p = start(Map.of("EXECGATE_API_KEYS", "ci=" + io.execgate.auth.ApiKey.generate(), "EXECGATE_CLUSTER", "true",
      "EXECGATE_ROLE", "gateway", "EXECGATE_HTTP_PORT", String.valueOf(freePort())), log);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    String out = Files.readString(log, StandardCharsets.UTF_8).strip();
    assertThat(out.lines().count()).as(out).isEqualTo(1);
    assertThat(out).contains("auth.tokenSecret").contains("EXECGATE_TOKEN_SECRET");
  }

  @Test
  void generateKeyPrintsANewKeyOf256BitsAndItsHash() throws Exception {
    for (String[] args : new String[][]{{"generate-key"}, {"hash-key", "--generate"}}) {
      List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", JAR.toString()));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("key:\\s+(\\S+)\\nsha256: ([0-9a-f]{64})\\n")
        .matcher(out);
      assertThat(m.matches()).as(out).isTrue();
      assertThat(Base64.getUrlDecoder().decode(m.group(1))).hasSize(32);
      assertThat(m.group(2)).isEqualTo(io.execgate.auth.ApiKey.hash(m.group(1)));
      // and the gateway takes it
      assertThat(io.execgate.auth.ApiKey.fromEnv("k=" + m.group(1)).sha256()).isEqualTo(m.group(2));
    }
  }

  @Test
  void anUnreachableEngineIsOneClearLineAndExitCode3() throws Exception {
    Path log = Files.createTempFile("execgate", ".log");
    Process p = start(Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock",
      "EXECGATE_HTTP_PORT", String.valueOf(freePort())), log);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(3);
    String out = Files.readString(log, StandardCharsets.UTF_8).strip();
    assertThat(out.lines().count()).as(out).isEqualTo(1);
    assertThat(out).contains("unix:///nonexistent/docker.sock").contains("DOCKER_HOST");
  }

  @Test
  void orphansAreReapedAtStartAndSigtermRemovesRunningContainers() throws Exception {
    String instance = "it-main-" + UUID.randomUUID().toString().substring(0, 8);
    // an orphan as a crashed gateway of this instance would leave it
    String orphan = docker.createContainerCmd(DockerSupport.IMAGE)
      .withCmd("sleep", "300")
      .withLabels(ContainerLabels.of(instance, "orphan"))
      .exec().getId();
    docker.startContainerCmd(orphan).exec();
    int port = freePort();
    Path log = Files.createTempFile("execgate", ".log");
    Process p = start(Map.of("EXECGATE_INSTANCE_ID", instance, "EXECGATE_HTTP_PORT", String.valueOf(port)), log);
    try {
      awaitHealthy(port);
      assertThat(DockerSupport.containers(docker, instance)).extracting(c -> c.getId()).doesNotContain(orphan);
      // the engine's runc was judged at startup, in one line naming it (this machine's Debian runc carries
      // the fix of CVE-2024-21626 under an older upstream number: it must pass)
      var runc = docker.versionCmd().exec().getComponents().stream().filter(c -> c.getName().equalsIgnoreCase("runc"))
        .findFirst().orElseThrow();
      String commit = runc.getDetails() != null && runc.getDetails().get("GitCommit") != null
        && !runc.getDetails().get("GitCommit").isEmpty() ? runc.getDetails().get("GitCommit") : runc.getVersion();
      assertThat(Files.readString(log)).contains("runc " + commit + " has no known container breakout of "
        + "[CVE-2024-21626, CVE-2019-5736]");

      HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/v1/executions")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"script\":\"sleep 60\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(accepted.statusCode()).isEqualTo(202);
      String id = new io.vertx.core.json.JsonObject(accepted.body()).getString("id");
      long deadline = System.currentTimeMillis() + 30_000;
      while (!DockerSupport.executionContainerExists(docker, id) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(DockerSupport.executionContainerExists(docker, id)).isTrue();

      long t0 = System.nanoTime();
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long stopMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(DockerSupport.containers(docker, instance)).isEmpty();
      assertThat(stopMs).isLessThan(15_000);
      assertThat(Files.readString(log)).contains("stopping");
    } finally {
      p.destroyForcibly();
      DockerSupport.removeAll(docker, instance);
    }
  }

  @Test
  void aGatewayKilledMidRunLeavesNothingAfterItsNextStart() throws Exception {
    String instance = "it-kill-" + UUID.randomUUID().toString().substring(0, 8);
    int port = freePort();
    Path log = Files.createTempFile("execgate", ".log");
    Map<String, String> env = Map.of("EXECGATE_INSTANCE_ID", instance, "EXECGATE_HTTP_PORT", String.valueOf(port));
    Process first = start(env, log);
    Process second = null;
    try {
      awaitHealthy(port);
      HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/v1/executions")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"script\":\"sleep 60\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
      String id = new io.vertx.core.json.JsonObject(accepted.body()).getString("id");
      long deadline = System.currentTimeMillis() + 30_000;
      while (!DockerSupport.executionContainerExists(docker, id) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(DockerSupport.executionContainerExists(docker, id)).isTrue();

      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // SIGKILL leaves the sandbox (and the warm pool) behind...
      java.util.Set<String> orphans = DockerSupport.containers(docker, instance).stream().map(c -> c.getId())
        .collect(java.util.stream.Collectors.toSet());
      assertThat(orphans).isNotEmpty();

      second = start(env, Files.createTempFile("execgate", ".log"));
      awaitHealthy(port);
      // ...and the next start of the same instance removes them
      assertThat(DockerSupport.executionContainerExists(docker, id)).isFalse();
      assertThat(DockerSupport.containers(docker, instance)).extracting(c -> c.getId())
        .doesNotContainAnyElementsOf(orphans);
      second.destroy();
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(DockerSupport.awaitNoContainers(docker, instance, 10_000)).isEmpty();
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly();
      }
      DockerSupport.removeAll(docker, instance);
    }
  }

  private void awaitHealthy(int port) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the gateway did not become healthy on port " + port);
  }
}
