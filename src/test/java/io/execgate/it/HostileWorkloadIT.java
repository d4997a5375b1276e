package io.execgate.it;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Programs that attack the sandbox or the gateway. Each test asserts that the sandbox held, and,
 * after it, that the gateway still answers fast and still runs a normal program.
 */
class HostileWorkloadIT extends GatewayITBase {

  private static final String SUID_IMAGE = "execgate-test/suid:1";

  @BeforeAll
  void buildSuidImage() throws Exception {
    // an image with a setuid-root copy of busybox, as an attacker's image might carry
    Path dir = Files.createTempDirectory("suid");
    Files.writeString(dir.resolve("Dockerfile"), "FROM " + DockerSupport.IMAGE + "\nUSER root\n"
      + "RUN cp /bin/busybox /bin/busybox-suid && chmod 4755 /bin/busybox-suid\nUSER 1000\n");
    Process p = new ProcessBuilder("docker", "build", "-q", "-t", SUID_IMAGE, dir.toString())
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @AfterAll
  void removeSuidImage() throws Exception {
    new ProcessBuilder("docker", "rmi", "-f", SUID_IMAGE).redirectErrorStream(true).start().waitFor(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void gatewayStillServes() {
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      assertThat(get("/health").statusCode()).isEqualTo(200);
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
    }
    JsonObject r = run("echo still-serving");
    assertThat(r.getString("status")).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("still-serving\n");
  }

  @Test
  void forkBomb() {
    JsonObject r = run(new JsonObject().put("script", ":(){ :|:& };: 2>/dev/null; sleep 3; echo survived")
      .put("limits", new JsonObject().put("pids", 64).put("timeoutMs", 8_000)));
    // the pids limit stops the bomb; the sandbox itself stays able to end
    assertThat(r.getString("status")).isIn("succeeded", "failed", "timeout");
    assertThat(r.getString("stdout")).doesNotContain("Killed");
  }

  @Test
  void memoryBomb() {
    JsonObject r = run(new JsonObject().put("script", "x=a; while true; do x=$x$x; done")
      .put("limits", new JsonObject().put("memoryMb", 64).put("timeoutMs", 20_000)));
    assertThat(r.getString("status")).isEqualTo("oom_killed");
    Long peak = r.getJsonObject("usage").getLong("memoryPeakBytes");
    assertThat(peak == null || peak <= 64L << 20).as("peak %s", peak).isTrue();
  }

  @Test
  void fillingTmpStopsAtItsCapAndTheRootFilesystemIsReadOnly() {
    JsonObject r = run("dd if=/dev/zero of=/tmp/fill bs=1M count=500 2>/dev/null; echo tmp=$(( $(wc -c < /tmp/fill) / 1048576 ));"
      + " for d in / /usr /etc /home/executor /var; do dd if=/dev/zero of=$d/fill bs=1M count=1 2>/dev/null && echo wrote $d; done;"
      + " echo done");
    assertThat(r.getString("stdout")).matches("tmp=6[0-4]\ndone\n");
  }

  @Test
  void floodingBothStreamsIsCut() {
    JsonObject r = run(new JsonObject().put("script", "yes out & yes err >&2")
      .put("limits", new JsonObject().put("outputBytes", 200_000)));
    assertThat(r.getString("status")).isEqualTo("output_limit");
    assertThat(r.getString("stdout").length() + r.getString("stderr").length()).isLessThanOrEqualTo(400_000);
    assertThat(r.getBoolean("stdoutTruncated") || r.getBoolean("stderrTruncated")).isTrue();
  }

  @Test
  void aFileLeftInTmpIsInvisibleToTheNextExecution() {
    run("echo secret > /tmp/left; mkdir -p /tmp/work/x; echo secret > /tmp/work/x/y");
    JsonObject r = run("cat /tmp/left /tmp/work/x/y 2>&1; ls -a /tmp");
    assertThat(r.getString("stdout")).doesNotContain("secret");
  }

  @Test
  void networkEgressFails() {
    JsonObject r = run("wget -q -T 2 -O- http://1.1.1.1/ >/dev/null 2>&1 && echo tcp-open;"
      + " nc -w 2 1.1.1.1 53 </dev/null >/dev/null 2>&1 && echo tcp53-open;"
      + " echo x | nc -u -w 2 8.8.8.8 53 >/dev/null 2>&1 && echo udp-sent;"
      + " nslookup example.com 8.8.8.8 >/dev/null 2>&1 && echo dns-ok;"
      + " ping -c 1 -W 2 1.1.1.1 >/dev/null 2>&1 && echo raw-ok;"
      + " ls /sys/class/net; echo end");
    assertThat(r.getString("stdout")).isEqualTo("lo\nend\n");
  }

  @Test
  void symlinksToHostPathsLeadNowhere() {
    JsonObject r = run("ln -s /var/run/docker.sock /tmp/work/sock; ln -s /etc/shadow /tmp/work/shadow;"
      + " ln -s / /tmp/work/root; ls /var/run/docker.sock 2>&1; cat /tmp/work/shadow 2>&1; ls /tmp/work/root/tmp");
    assertThat(r.getString("stdout")).contains("No such file").doesNotContain("root:");
    // a file delivered through such a name is written inside the sandbox only
    JsonObject next = run(new JsonObject().put("files", new io.vertx.core.json.JsonArray()
      .add(new JsonObject().put("name", "main.sh").put("content", "ls -la /tmp/work; cat etc/passwd"))
      .add(new JsonObject().put("name", "etc/passwd").put("content", "planted"))));
    assertThat(next.getString("stdout")).endsWith("planted");
    assertThat(Path.of("/etc/passwd")).content().doesNotContain("planted");
  }

  @Test
  void setuidBinariesGainNothing() {
    JsonObject r = run(new JsonObject().put("image", SUID_IMAGE)
      .put("script", "ls -l /bin/busybox-suid | cut -c1-10; /bin/busybox-suid id -u; /bin/busybox-suid touch /etc/x 2>&1 | head -1;"
        + " grep NoNewPrivs /proc/self/status"));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).startsWith("-rwsr-xr-x\n1000\n").contains("Read-only file system")
      .endsWith("NoNewPrivs:\t1\n");
  }

  @Test
  void hugeStdinArrivesWhole() throws Exception {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < (4 << 20) - 100) {
      sb.append("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n");
    }
    String stdin = sb.toString();
    JsonObject r = run(new JsonObject().put("script", "sha256sum | cut -d' ' -f1").put("stdin", stdin));
    assertThat(r.getString("stdout").trim()).isEqualTo(HexFormat.of().formatHex(
      MessageDigest.getInstance("SHA-256").digest(stdin.getBytes(StandardCharsets.UTF_8))));
    HttpResponse<Buffer> tooBig = post("/v1/executions", new JsonObject().put("script", "cat")
      .put("stdin", stdin + "x".repeat(200)));
    assertThat(tooBig.statusCode()).isEqualTo(413);
  }

  @Test
  void tenThousandOrphansAreReaped() {
    // each orphan becomes a zombie until init reaps it; without reaping, the pids limit would stop the loop
    JsonObject r = run(new JsonObject()
      .put("script", "i=0; while [ $i -lt 500 ]; do (for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20;"
        + " do true & done); i=$((i+1)); done; echo created $((i * 20))")
      .put("limits", new JsonObject().put("pids", 128).put("timeoutMs", 60_000)));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("created 10000\n");
  }

  @Test
  void killingPid1FromInsideDoesNothing() {
    JsonObject r = run("kill -9 1; kill -TERM 1; sleep 0.2; echo alive");
    assertThat(r.getString("status")).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("alive\n");
  }

  @Test
  void sleepingForeverEndsAtTheDeadline() {
    long t0 = System.nanoTime();
    JsonObject r = run(new JsonObject().put("script", "sleep infinity || while :; do sleep 1; done")
      .put("limits", new JsonObject().put("timeoutMs", 1_000)));
    assertThat(r.getString("status")).isEqualTo("timeout");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(6_000);
  }

  @Test
  void theGatewaysEnvironmentAndSecretsAreNotInside() {
    JsonObject r = run("cat /proc/1/environ | tr '\\0' '\\n'; env; ls /run/secrets 2>&1");
    assertThat(r.getString("stdout")).doesNotContain("DOCKER_HOST").doesNotContain("EXECGATE")
      .doesNotContain("JAVA_HOME").doesNotContain("docker.sock");
  }

  @Test
  void manyHostileExecutionsAtOnceLeaveTheGatewayResponsive() {
    java.util.List<Future<HttpResponse<Buffer>>> all = new java.util.ArrayList<>();
    String[] scripts = {"yes", ":(){ :|:& };:", "x=a; while true; do x=$x$x; done", "sleep 30", "cat /dev/zero"};
    for (int i = 0; i < 10; i++) {
      all.add(client.post("/v1/executions?wait=true").putHeader("content-type", "application/json")
        .sendBuffer(new JsonObject().put("script", scripts[i % scripts.length])
          .put("limits", new JsonObject().put("timeoutMs", 3_000).put("memoryMb", 64).put("pids", 32)
            .put("outputBytes", 100_000)).toBuffer()));
    }
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      assertThat(get("/health").statusCode()).isEqualTo(200);
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
    }
    for (Future<HttpResponse<Buffer>> f : all) {
      JsonObject r = await(f).bodyAsJsonObject();
      assertThat(r.getString("status")).isIn("timeout", "oom_killed", "output_limit", "failed");
    }
  }
}
