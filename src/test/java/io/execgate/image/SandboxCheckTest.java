package io.execgate.image;

import io.execgate.docker.ImageDetails;
import io.execgate.docker.PathStat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxCheckTest {

  private static String problem(String os, String workingDir, String... volumes) {
    return SandboxCheck.configProblem("img:1", new ImageDetails("sha256:1", 1, os, workingDir, List.of(volumes)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/proc", "/proc/self", "/proc/1/root", "/sys/fs/cgroup", "/dev", "/dev/shm", "/tmp/../proc",
    "//proc//self/"})
  void workingDirectoriesInKernelInterfacesAreRefused(String dir) {
    assertThat(problem("linux", dir)).contains("img:1").contains("working directory").contains(dir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/", "/tmp", "/app", "/processes", "/home/executor", "/device"})
  void ordinaryWorkingDirectoriesAreFine(String dir) {
    assertThat(problem("linux", dir)).isNull();
  }

  @Test
  void volumesOutsideTmpAreRefused() {
    assertThat(problem("linux", "/tmp", "/data")).contains("VOLUME /data").contains("without a size cap");
    assertThat(problem("linux", "/tmp", "/tmp/cache")).contains("VOLUME /tmp/cache");
    assertThat(problem("linux", "/tmp", "/tmp")).isNull();
  }

  @Test
  void onlyLinuxImages() {
    assertThat(problem("windows", "C:\\\\")).contains("windows image");
    assertThat(problem(null, "/tmp")).isNull();
  }

  private static final long DIR = (1L << 31) | 0755;
  private static final long LINK = (1L << 27) | 0777;
  private static final long FILE = 0755;

  /** The stats of this repository's busybox image, as the engine gives them. */
  private static Map<String, PathStat> busybox() {
    Map<String, PathStat> stats = new HashMap<>();
    stats.put("/tmp", new PathStat("tmp", 4096, DIR | 01000, ""));
    stats.put("/proc", new PathStat("proc", 4096, DIR, ""));
    stats.put("/dev", new PathStat("dev", 4096, DIR, ""));
    stats.put("/sys", new PathStat("sys", 4096, DIR, ""));
    stats.put("/run", null);
    stats.put("/bin/sh", new PathStat("sh", 12, LINK, "/bin/busybox"));
    stats.put("/bin/busybox", new PathStat("busybox", 1982256, FILE, ""));
    return stats;
  }

  @Test
  void aPlainImageFilesystemIsFine() {
    assertThat(SandboxCheck.filesystemProblem("img:1", busybox())).isNull();
    Map<String, PathStat> plainShell = busybox();
    plainShell.put("/bin/sh", new PathStat("sh", 125560, FILE, ""));
    assertThat(SandboxCheck.filesystemProblem("img:1", plainShell)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/tmp", "/run", "/proc", "/dev", "/sys"})
  void aSandboxDirectoryThatIsALinkIsRefused(String dir) {
    Map<String, PathStat> stats = busybox();
    stats.put(dir, new PathStat(dir.substring(1), 13, LINK, "/proc/self/fd"));
    assertThat(SandboxCheck.filesystemProblem("img:1", stats)).contains("img:1")
      .contains("makes " + dir + " a symbolic link to /proc/self/fd").contains("CVE-2024-21626").contains("refused");
    stats.put(dir, new PathStat(dir.substring(1), 13, FILE, ""));
    assertThat(SandboxCheck.filesystemProblem("img:1", stats)).contains(dir + " that is not a directory");
  }

  @Test
  void theShellMustBeAPlainFileOutsideKernelInterfaces() {
    Map<String, PathStat> stats = busybox();
    stats.put("/bin/sh", null);
    assertThat(SandboxCheck.filesystemProblem("img:1", stats)).contains("/bin/sh is missing");
    stats.put("/bin/sh", new PathStat("sh", 12, LINK, "/proc/self/fd/7"));
    assertThat(SandboxCheck.filesystemProblem("img:1", stats)).contains("a link to /proc/self/fd/7, inside /proc");
    stats.put("/bin/sh", new PathStat("sh", 12, LINK, "/bin/nothing"));
    assertThat(SandboxCheck.filesystemProblem("img:1", stats)).contains("/bin/sh is missing (a link to /bin/nothing");
    stats.put("/bin/sh", new PathStat("sh", 4096, DIR, ""));
    assertThat(SandboxCheck.filesystemProblem("img:1", stats)).contains("/bin/sh is not a plain file");
    stats.put("/bin/sh", new PathStat("sh", 0, (1L << 26) | (1L << 21) | 0666, ""));
    assertThat(SandboxCheck.filesystemProblem("img:1", stats)).contains("/bin/sh is not a plain file");
  }
}
