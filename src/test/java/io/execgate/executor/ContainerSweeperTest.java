package io.execgate.executor;

import io.execgate.GatewayOptions;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ManagedContainer;
import io.execgate.model.ResourceLimits;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerSweeperTest {

  @Test
  void theLargestDeadlineAddsTheLongestCompileStepAllowed() {
    GatewayOptions options = new GatewayOptions();
    // default runtimes: c++ compiles with 15 s; the run's maximum is 60 s, which a request may also give the compile
    assertThat(ContainerSweeper.largestDeadlineMs(options)).isEqualTo(60_000 + 60_000);
    options.getExecutor().setMaxLimits(new ResourceLimits(5_000, 1024, 2, 512, 1 << 20));
    assertThat(ContainerSweeper.largestDeadlineMs(options)).isEqualTo(5_000 + 15_000);
    options.setRuntimes(options.getRuntimes().stream().filter(r -> r.compile() == null).toList());
    assertThat(ContainerSweeper.largestDeadlineMs(options)).isEqualTo(5_000);
  }

  @Test
  void runningOrNotPastTheirAgeButWarmContainersGetTheIdleTimeMore() {
    long now = 10_000;
    ManagedContainer young = new ManagedContainer("young", "e1", true, now - 100);
    ManagedContainer old = new ManagedContainer("old", "e2", true, now - 101);
    ManagedContainer oldStopped = new ManagedContainer("stopped", "e3", false, now - 500);
    ManagedContainer idleWarm = new ManagedContainer("warm", ContainerLabels.WARM, true, now - 300);
    ManagedContainer staleWarm = new ManagedContainer("stale", ContainerLabels.WARM, true, now - 401);
    assertThat(ContainerSweeper.overdue(List.of(young, old, oldStopped, idleWarm, staleWarm), now, 100, 400))
      .extracting(ManagedContainer::id).containsExactly("old", "stopped", "stale");
  }
}
