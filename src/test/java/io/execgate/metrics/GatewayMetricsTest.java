package io.execgate.metrics;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayMetricsTest {

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void durationsArePublishedAsHistograms() {
    GatewayMetrics metrics = GatewayMetrics.create(vertx, "t");
    metrics.executionFinished("completed", "warm", 7L, 30L);
    metrics.executionFinished("completed", "warm", 1200L, 3L);
    String text = metrics.scrape();
    // one bucket per bound, cumulative: 7 ms is in le=0.01 and above, 1.2 s only from le=2.5
    assertThat(text).contains("execgate_execution_duration_seconds_bucket{status=\"completed\",le=\"0.005\"} 0");
    assertThat(text).contains("execgate_execution_duration_seconds_bucket{status=\"completed\",le=\"0.01\"} 1");
    assertThat(text).contains("execgate_execution_duration_seconds_bucket{status=\"completed\",le=\"1.0\"} 1");
    assertThat(text).contains("execgate_execution_duration_seconds_bucket{status=\"completed\",le=\"2.5\"} 2");
    assertThat(text).contains("execgate_execution_duration_seconds_bucket{status=\"completed\",le=\"+Inf\"} 2");
    assertThat(text).contains("execgate_execution_queued_seconds_bucket{le=\"0.005\"} 1");
    assertThat(text).contains("execgate_execution_queued_seconds_bucket{le=\"600.0\"} 2");
    assertThat(text).contains("execgate_execution_duration_seconds_count{status=\"completed\"} 2");
  }
}
