package io.execgate.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

  @Test
  void theApplicationsRegistryGetsEveryMeterWithItsTagsAndBuckets() {
    MeterRegistry application = new SimpleMeterRegistry();
    GatewayMetrics metrics = GatewayMetrics.create(vertx, "t", application);
    metrics.executionFinished("succeeded", "warm", 7L, 30L);
    metrics.rejected("capacity_exhausted");
    metrics.gauge("execgate_queue_depth", "Queued", new int[]{3}, a -> a[0]);

    assertThat(application.get("execgate_executions").tags("status", "succeeded", "start", "warm").counter().count())
      .isEqualTo(1.0);
    Timer duration = application.get("execgate_execution_duration").tags("status", "succeeded").timer();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(duration.takeSnapshot().histogramCounts()).extracting(CountAtBucket::bucket)
      .hasSize(GatewayMetrics.DURATION_BUCKETS.size());
    assertThat(application.get("execgate_rejections").tags("reason", "capacity_exhausted").counter().count())
      .isEqualTo(1.0);
    assertThat(application.get("execgate_queue_depth").gauge().value()).isEqualTo(3.0);
    // the gateway's own registry counts the same, for /metrics and /v1/stats
    assertThat(metrics.scrape()).contains("execgate_executions_total{start=\"warm\",status=\"succeeded\"} 1.0");
    assertThat(metrics.scrape())
      .contains("execgate_execution_duration_seconds_bucket{status=\"succeeded\",le=\"0.005\"} 0")
      .contains("execgate_execution_duration_seconds_bucket{status=\"succeeded\",le=\"0.01\"} 1");
    assertThat(metrics.stats().executions()).containsEntry("succeeded", 1L);
  }

  @Test
  void aFilterOfTheApplicationsNeverChangesTheGatewaysOwnCounts() {
    MeterRegistry application = new SimpleMeterRegistry();
    application.config().meterFilter(MeterFilter.denyNameStartsWith("execgate_executions"));
    GatewayMetrics metrics = GatewayMetrics.create(vertx, "t", application);
    metrics.executionFinished("succeeded", "cold", 12L, null);
    assertThat(application.find("execgate_executions").counters()).isEmpty();
    assertThat(metrics.stats().executions()).containsEntry("succeeded", 1L);
  }

  @Test
  void twoGatewaysWithTwoRegistriesCountApart() {
    MeterRegistry first = new SimpleMeterRegistry();
    MeterRegistry second = new SimpleMeterRegistry();
    GatewayMetrics a = GatewayMetrics.create(vertx, "a", first);
    GatewayMetrics b = GatewayMetrics.create(vertx, "b", second);
    a.executionFinished("succeeded", "warm", 5L, 1L);
    b.executionFinished("succeeded", "warm", 5L, 1L);
    b.executionFinished("failed", "warm", 5L, 1L);
    assertThat(first.get("execgate_executions").counters()).hasSize(1);
    assertThat(first.get("execgate_executions").tags("status", "succeeded").counter().count()).isEqualTo(1.0);
    assertThat(second.get("execgate_executions").counters()).hasSize(2);
    assertThat(GatewayMetrics.of(vertx, "a").stats().executions()).containsEntry("failed", 0L);
    assertThat(GatewayMetrics.of(vertx, "b").stats().executions()).containsEntry("failed", 1L);
  }

  @Test
  void closingTheGatewayRemovesItsMetersFromTheApplicationsRegistry() {
    MeterRegistry application = new SimpleMeterRegistry();
    application.counter("app_requests").increment();
    GatewayMetrics metrics = GatewayMetrics.create(vertx, "t", application);
    metrics.executionFinished("succeeded", "warm", 5L, 1L);
    metrics.gauge("execgate_running", "Running", new int[]{1}, a -> a[0]);
    metrics.functionCounter("execgate_pulls", "Pulls", () -> 4L);
    // a registry without native histograms also gets a gauge per bucket, named after the timer
    assertThat(application.getMeters()).extracting(m -> m.getId().getName())
      .contains("execgate_executions", "execgate_execution_duration", "execgate_running", "execgate_pulls");
    GatewayMetrics.remove(vertx, "t");
    assertThat(application.getMeters()).extracting(m -> m.getId().getName()).containsExactly("app_requests");
  }
}
