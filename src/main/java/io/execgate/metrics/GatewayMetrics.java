package io.execgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's own metrics, in Prometheus form at {@code /metrics}: executions by status and how
 * they started, durations, queue depth, rejections, warm pools and image pulls. Shares Vert.x's
 * Micrometer registry when the Vertx was built with Micrometer metrics (then {@code /metrics} also
 * shows Vert.x's own), else keeps its own. One instance per gateway, found by its verticles in the
 * Vertx's local shared data; thread-safe.
 */
public final class GatewayMetrics implements Shareable {

  private static final String MAP = "execgate.metrics";

  private final PrometheusMeterRegistry registry;
  /** Micrometer holds function counters' sources weakly: they live here as long as the gateway. */
  private final List<Object> sources = new CopyOnWriteArrayList<>();

  private GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Creates the metrics of the gateway with {@code addressPrefix} in {@code vertx}.
   */
  public static GatewayMetrics create(Vertx vertx, String addressPrefix) {
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    PrometheusMeterRegistry registry = shared instanceof PrometheusMeterRegistry p ? p
      : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = new GatewayMetrics(registry);
    vertx.sharedData().<String, GatewayMetrics>getLocalMap(MAP).put(addressPrefix, metrics);
    return metrics;
  }

  /**
   * @return the metrics of the gateway with {@code addressPrefix}, or metrics that go nowhere when
   *   there is none (a verticle deployed on its own, in a test)
   */
  public static GatewayMetrics of(Vertx vertx, String addressPrefix) {
    GatewayMetrics metrics = vertx.sharedData().<String, GatewayMetrics>getLocalMap(MAP).get(addressPrefix);
    return metrics != null ? metrics : new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /**
   * Forgets this gateway's entry (its meters stay in a shared registry).
   */
  public static void remove(Vertx vertx, String addressPrefix) {
    vertx.sharedData().<String, GatewayMetrics>getLocalMap(MAP).remove(addressPrefix);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * An execution reached its final state.
   *
   * @param start {@code warm}, {@code cold} or {@code none} (it never got a container)
   */
  public void executionFinished(String status, String start, Long durationMs, Long queuedMs) {
    Counter.builder("execgate_executions").description("Executions that reached a final state")
      .tags("status", status, "start", start).register(registry).increment();
    if (durationMs != null) {
      Timer.builder("execgate_execution_duration").description("Time from the program's start to its end")
        .tags("status", status).register(registry).record(Duration.ofMillis(durationMs));
    }
    if (queuedMs != null) {
      Timer.builder("execgate_execution_queued").description("Time from submit until a container was being set up")
        .register(registry).record(Duration.ofMillis(queuedMs));
    }
  }

  /**
   * A submit was refused before it was queued.
   *
   * @param reason the error code, e.g. {@code capacity_exhausted}
   */
  public void rejected(String reason) {
    Counter.builder("execgate_rejections").description("Submits refused at admission")
      .tags("reason", reason).register(registry).increment();
  }

  /**
   * Registers a gauge read from {@code source}.
   */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    Gauge.builder(name, source, value).description(description).tags(tags).strongReference(true).register(registry);
  }

  /**
   * Registers a counter whose value is read from {@code count} (a monotonic count kept elsewhere).
   */
  public void functionCounter(String name, String description, Supplier<Number> count, String... tags) {
    sources.add(count);
    FunctionCounter.builder(name, count, s -> s.get().doubleValue())
      .description(description).tags(tags).register(registry);
  }

  /**
   * @return the Prometheus text of every meter
   */
  public String scrape() {
    return registry.scrape();
  }
}
