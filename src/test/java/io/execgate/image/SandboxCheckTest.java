package io.execgate.image;

import io.execgate.docker.ImageDetails;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

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
}
