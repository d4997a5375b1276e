package io.execgate.bus;

import io.execgate.model.ExecutionJob;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Vertx with the codecs, and a bus that records what a channel sends (addresses are built from
 * the prefix {@code t}).
 */
abstract class ChannelTestBase {

  static final long WAIT_S = 5;

  Vertx vertx;
  RecordingBus recorded;
  final Addresses addresses = new Addresses("t");

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
    Codecs.registerAll(vertx.eventBus());
    recorded = new RecordingBus(vertx.eventBus());
  }

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static ExecutionJob job(String id) {
    RuntimeSpec sh = new RuntimeSpec("sh", List.of(), "1", "img", "main.sh", null, "sh {file}", 4000, false);
    return new ExecutionJob(id, 1L, sh, "img", List.of(SourceFile.utf8("main.sh", "true")), null, List.of(),
      Map.of(), new ResourceLimits(1000, 64, 1, 32, 1024), false, "key");
  }
}
