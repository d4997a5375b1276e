package io.execgate.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The security profile and the limits hold, observed from inside the sandbox.
 */
class SandboxIT extends GatewayITBase {

  @Test
  void onlyTheLoopbackInterfaceExists() {
    JsonObject r = run("ls /sys/class/net; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");
    assertThat(r.getString("stdout")).isEqualTo("lo\nlo\n");
  }

  @Test
  void theRootFilesystemIsReadOnly() {
    JsonObject r = run("for p in / /etc /bin /home/executor /usr; do touch $p/x 2>/dev/null && echo \"wrote $p\"; done;"
      + " grep ' / ' /proc/mounts | grep -c ' ro,'");
    assertThat(r.getString("stdout")).isEqualTo("1\n");
  }

  @Test
  void programsRunAsUid1000WithoutCapabilitiesOrNewPrivileges() {
    JsonObject r = run("id -u; id -g; grep -E '^(NoNewPrivs|CapEff|CapPrm|CapBnd):' /proc/self/status");
    assertThat(r.getString("stdout")).isEqualTo("1000\n1000\nCapPrm:\t0000000000000000\n"
      + "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\n");
  }

  @Test
  void tmpIsWritableButCapped() {
    JsonObject r = run("echo ok > /tmp/f && cat /tmp/f; dd if=/dev/zero of=/tmp/big bs=1M count=100 2>&1 | grep -o 'No space left on device';"
      + " echo size=$(( $(wc -c < /tmp/big) / 1048576 )); grep ' /tmp ' /proc/mounts");
    String out = r.getString("stdout");
    assertThat(out).startsWith("ok\n");
    assertThat(out).contains("No space left on device");
    assertThat(out).containsPattern("size=6[0-4]\n");
    assertThat(out).containsPattern("tmpfs /tmp tmpfs rw,nosuid,nodev,noexec");
  }

  @Test
  void theWritablePlacesAreTmpTheLaunchersShellAndATinyShm() {
    // every mount point (the root filesystem is read-only), by trying to create a file in it
    JsonObject r = run("for m in $(cut -d' ' -f2 /proc/mounts | sort -u); do [ -d \"$m\" ] && touch \"$m/.w\" 2>/dev/null"
      + " && echo \"$m\"; done;"
      + " grep -E ' /(run/execgate|dev/shm|dev/mqueue) ' /proc/mounts | cut -d' ' -f2-4 | sort;"
      + " ls -la /run/execgate | grep -c ' sh$'");
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo("/dev/shm\n/run/execgate\n/tmp\n"
      + "/dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime\n"
      + "/dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k\n"
      + "/run/execgate tmpfs rw,nosuid,nodev,relatime,size=4096k,mode=700,uid=1000,gid=1000\n"
      + "1\n");
  }

  @Test
  void devShmHoldsOneMebibyteAndNoMessageQueueCanBeCreated() {
    JsonObject r = run("dd if=/dev/zero of=/dev/shm/big bs=64k count=64 2>&1 | grep -o 'No space left on device';"
      + " echo shm=$(( $(wc -c < /dev/shm/big) / 1024 ))k; rm /dev/shm/big;"
      + " touch /dev/mqueue/q 2>&1 | grep -o 'Too many open files'; ls /dev/mqueue | wc -l");
    assertThat(r.getString("stdout")).as(r.encode())
      .isEqualTo("No space left on device\nshm=1024k\nToo many open files\n0\n");
  }

  @Test
  void coreDumpsAreDisabled() {
    JsonObject r = run("ulimit -c; ulimit -Hc; grep 'Max core file size' /proc/self/limits | tr -s ' '");
    assertThat(r.getString("stdout")).isEqualTo("0\n0\nMax core file size 0 0 bytes \n");
  }

  @Test
  void theCgroupLimitsAreThoseRequested() {
    JsonObject r = run(new JsonObject()
      .put("script", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max "
        + "/sys/fs/cgroup/cpu/cpu.cfs_quota_us; ulimit -n")
      .put("limits", new JsonObject().put("memoryMb", 96).put("pids", 40).put("cpus", 0.5)));
    assertThat(r.getString("stdout")).isEqualTo((96L << 20) + "\n40\n50000\n1024\n");
  }

  @Test
  void aTimeoutKillsTheProgramAtItsDeadlineKeepingPartialOutput() {
    long t0 = System.nanoTime();
    JsonObject r = run(new JsonObject().put("script", "echo before; sleep 30; echo after")
      .put("limits", new JsonObject().put("timeoutMs", 1500)));
    long wallMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.getString("status")).isEqualTo("timeout");
    assertThat(r.getString("stdout")).isEqualTo("before\n");
    assertThat(r.getLong("durationMs")).isBetween(1500L, 2500L);
    // the deadline starts when the program starts; container creation and start come before it
    assertThat(wallMs).isLessThan(1500 + 1000 + 2000);
  }

  @Test
  void exceedingMemoryIsReportedAsOomKilled() {
    JsonObject r = run(new JsonObject().put("script", "exec dd if=/dev/zero of=/dev/null bs=200M count=1")
      .put("limits", new JsonObject().put("memoryMb", 32)));
    assertThat(r.getString("status")).isEqualTo("oom_killed");
    assertThat(r.getInteger("exitCode")).isEqualTo(137);
    assertThat(r.getString("message")).contains("32 MiB");
  }

  @Test
  void anOutputFloodIsCutAtTheCapAndKilled() {
    JsonObject r = run(new JsonObject().put("script", "yes 0123456789")
      .put("limits", new JsonObject().put("outputBytes", 100_000)));
    assertThat(r.getString("status")).isEqualTo("output_limit");
    assertThat(r.getString("stdout")).hasSize(100_000);
    assertThat(r.getString("stdout")).startsWith("0123456789\n0123456789\n");
    assertThat(r.getBoolean("stdoutTruncated")).isTrue();
    assertThat(r.getBoolean("stderrTruncated")).isFalse();
  }

  @Test
  void aForkBombIsContainedWhileTheGatewayKeepsAnswering() throws Exception {
    HttpResponse<Buffer> accepted = post("/v1/executions", new JsonObject()
      .put("script", "b() { b | b & }; b; sleep 5")
      .put("limits", new JsonObject().put("pids", 64).put("timeoutMs", 6000)));
    String id = accepted.bodyAsJsonObject().getString("id");
    awaitStatus(id, "running"::equals, 30_000);
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long t0 = System.nanoTime();
      assertThat(get("/health").statusCode()).isEqualTo(200);
      latencies.add((System.nanoTime() - t0) / 1_000_000);
      Thread.sleep(100);
    }
    assertThat(latencies).allSatisfy(ms -> assertThat(ms).isLessThan(1000));
    JsonObject done = awaitStatus(id, GatewayITBase::isFinal, 30_000);
    assertThat(done.getString("status")).isIn("timeout", "failed", "succeeded");
    // a normal execution still runs next to it
    assertThat(run("echo alive").getString("stdout")).isEqualTo("alive\n");
  }

  @Test
  void theProgramCannotForgeTheEndRecord() {
    JsonObject r = run("printf '\\036EXECGATE:0000:exit:0::\\036'; echo still-running; exit 5");
    assertThat(r.getString("status")).isEqualTo("failed");
    assertThat(r.getInteger("exitCode")).isEqualTo(5);
    assertThat(r.getString("stdout")).isEqualTo("\u001eEXECGATE:0000:exit:0::\u001estill-running\n");
  }

  @Test
  void theGatewaysEnvironmentIsNotVisible() {
    JsonObject r = run("env | sort | cut -d= -f1 | tr '\\n' ' '");
    assertThat(r.getString("stdout")).doesNotContain("DOCKER").doesNotContain("EXECGATE").doesNotContain("JAVA");
  }
}
