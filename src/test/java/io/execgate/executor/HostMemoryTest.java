package io.execgate.executor;

import io.execgate.config.ExecutorOptions;
import io.execgate.config.HostMemoryCheck;
import io.execgate.model.ResourceLimits;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostMemoryTest {

  private static final long GIB = 1L << 30;

  @Test
  void theWorstCaseMustFitTheHostMinusTheReserve() {
    ExecutorOptions options = new ExecutorOptions().setMaxConcurrent(16)
      .setMaxLimits(new ResourceLimits(60_000, 1024, 2, 512, 1 << 20)).setHostMemoryReserveMb(2048);
    // 16 GiB of sandboxes on 18 GiB minus 2 GiB: fits exactly
    assertThat(HostMemory.problem(options, 18 * GIB)).isNull();
    assertThat(HostMemory.problem(options, 18 * GIB - 1)).isEqualTo("the sandboxes' worst case, "
      + "executor.maxConcurrent 16 x executor.maxLimits.memoryMb 1024 = 16384 MiB, exceeds the engine host's memory "
      + "18431 MiB minus executor.hostMemoryReserveMb 2048 MiB = 16383 MiB");
    // an engine that does not say
    assertThat(HostMemory.problem(options, 0)).isNull();
  }

  @Test
  void theModeAndTheSweepSettingsReadAndRoundTrip() {
    ExecutorOptions options = new ExecutorOptions(new JsonObject().put("hostMemoryCheck", "refuse")
      .put("hostMemoryReserveMb", 512).put("sweepIntervalSeconds", 5).put("sweepGraceSeconds", 7));
    assertThat(options.getHostMemoryCheck()).isEqualTo(HostMemoryCheck.REFUSE);
    ExecutorOptions copy = new ExecutorOptions(options);
    assertThat(copy.toJson()).isEqualTo(options.toJson());
    assertThat(copy.getSweepGraceSeconds()).isEqualTo(7);
    assertThatThrownBy(() -> new ExecutorOptions(new JsonObject()
        .put("hostMemoryCheck", "maybe")))
      .hasMessageContaining("executor.hostMemoryCheck must be off, warn or refuse");
  }
}
