package io.execgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.execgate.bus.Addresses;
import io.execgate.model.ExecutionStatus;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's own metrics, in Prometheus form at {@code /metrics}: executions by status and how
 * they started, durations, queue depth, rejections, warm pools, image pulls and sessions; and their summary at
 * {@code /v1/stats}. Each gateway keeps its own registry, so that two gateways in one Vertx never
 * mix their counts; when the Vertx was built with Micrometer's Prometheus metrics, {@code /metrics}
 * shows Vert.x's own after the gateway's. An embedding application may hand the gateway a registry of
 * its own: every meter is then registered in it too (same names, tags and histogram buckets), and
 * removed from it when the gateway closes. One instance per gateway, found by its verticles in the
 * Vertx's local shared data; thread-safe.
 */
public final class GatewayMetrics implements Shareable {

  private static final String MAP = Addresses.METRICS_MAP;
  /**
   * The bucket bounds of every duration the gateway times, from 5 ms to 10 min: a warm
   * {@code echo} to an execution near its time limit. Prometheus computes p95/p99 from them
   * ({@code histogram_quantile}); fixed bounds, so the series are few and the same on every node.
   */
  static final List<Duration> DURATION_BUCKETS = List.of(
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(600));

  /** The gateway's own registry: {@code /metrics} and {@code /v1/stats} read it. */
  private final PrometheusMeterRegistry registry;
  /**
   * Where meters are registered: {@link #registry}, or a composite of it and the application's
   * registry (so that a filter of the application's, e.g. one that denies a meter, never changes
   * what {@code /v1/stats} counts).
   */
  private final MeterRegistry meters;
  /** The application's registry, or {@code null}. */
  private final MeterRegistry application;
  /** Vert.x's own registry, or {@code null} when the Vertx has no Prometheus metrics. */
  private final PrometheusMeterRegistry vertxRegistry;
  /** Micrometer holds function counters' sources weakly: they live here as long as the gateway. */
  private final List<Object> sources = new CopyOnWriteArrayList<>();

  private GatewayMetrics(PrometheusMeterRegistry registry, MeterRegistry application,
                         PrometheusMeterRegistry vertxRegistry) {
    this.registry = registry;
    registry.config().meterFilter(durationHistograms());
    this.application = application;
    if (application == null) {
      meters = registry;
    } else {
      CompositeMeterRegistry composite = new CompositeMeterRegistry();
      // the composite hands its children the buckets with each meter: the application's registry gets them too
      composite.config().meterFilter(durationHistograms());
      composite.add(registry);
      composite.add(application);
      meters = composite;
    }
    this.vertxRegistry = vertxRegistry;
  }

  /**
   * Creates the metrics of the gateway with {@code addressPrefix} in {@code vertx}.
   */
  public static GatewayMetrics create(Vertx vertx, String addressPrefix) {
    return create(vertx, addressPrefix, null);
  }

  /**
   * Creates the metrics of the gateway with {@code addressPrefix} in {@code vertx}.
   *
   * @param application a registry of the embedding application where every meter is registered too,
   *   or {@code null}
   */
  public static GatewayMetrics create(Vertx vertx, String addressPrefix, MeterRegistry application) {
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    GatewayMetrics metrics = new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), application,
      shared instanceof PrometheusMeterRegistry p ? p : null);
    vertx.sharedData().<String, GatewayMetrics>getLocalMap(MAP).put(addressPrefix, metrics);
    return metrics;
  }

  /**
   * @return the metrics of the gateway with {@code addressPrefix}, or metrics that go nowhere when
   *   there is none (a verticle deployed on its own, in a test)
   */
  public static GatewayMetrics of(Vertx vertx, String addressPrefix) {
    GatewayMetrics metrics = vertx.sharedData().<String, GatewayMetrics>getLocalMap(MAP).get(addressPrefix);
    return metrics != null ? metrics
      : new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null, null);
  }

  /**
   * Forgets this gateway's entry and removes its meters from the application's registry, if it
   * handed one: a closed gateway's gauges would otherwise keep reporting, and keep it reachable.
   */
  public static void remove(Vertx vertx, String addressPrefix) {
    GatewayMetrics metrics = vertx.sharedData().<String, GatewayMetrics>getLocalMap(MAP).remove(addressPrefix);
    if (metrics != null && metrics.application != null) {
      // a composite propagates each removal to its children
      metrics.meters.clear();
    }
  }

  /**
   * @return a filter that gives every timer of the registry the {@link #DURATION_BUCKETS}, published
   *   as {@code _bucket} series
   */
  static MeterFilter durationHistograms() {
    double[] bounds = DURATION_BUCKETS.stream().mapToDouble(Duration::toNanos).toArray();
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() != Meter.Type.TIMER) {
          return config;
        }
        return DistributionStatisticConfig.builder().serviceLevelObjectives(bounds).build().merge(config);
      }
    };
  }

  /**
   * @return where a meter of the gateway is registered (the gateway's own registry, and the
   *   application's when it handed one)
   */
  public MeterRegistry registry() {
    return meters;
  }

  /**
   * An execution reached its final state.
   *
   * @param start {@code warm}, {@code cold} or {@code none} (it never got a container)
   */
  public void executionFinished(String status, String start, Long durationMs, Long queuedMs) {
    Counter.builder("execgate_executions").description("Executions that reached a final state")
      .tags("status", status, "start", start).register(meters).increment();
    if (durationMs != null) {
      Timer.builder("execgate_execution_duration").description("Time from the program's start to its end")
        .tags("status", status).register(meters).record(Duration.ofMillis(durationMs));
    }
    if (queuedMs != null) {
      Timer.builder("execgate_execution_queued").description("Time from submit until a container was being set up")
        .register(meters).record(Duration.ofMillis(queuedMs));
    }
  }

  /**
   * An execution's record was written to the store (each status an execution's run stores, and its
   * final record).
   *
   * @param status the status written, e.g. {@code queued}
   */
  public void recordWritten(String status) {
    Counter.builder("execgate_record_writes").description("Execution records written to the store")
      .tags("status", status).register(meters).increment();
  }

  /**
   * A submit was refused before it was queued.
   *
   * @param reason the error code, e.g. {@code capacity_exhausted}
   */
  public void rejected(String reason) {
    Counter.builder("execgate_rejections").description("Submits refused at admission")
      .tags("reason", reason).register(meters).increment();
  }

  /**
   * Registers a gauge read from {@code source}.
   */
  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    Gauge.builder(name, source, value).description(description).tags(tags).strongReference(true).register(meters);
  }

  /**
   * Registers a counter whose value is read from {@code count} (a monotonic count kept elsewhere).
   */
  public void functionCounter(String name, String description, Supplier<Number> count, String... tags) {
    sources.add(count);
    FunctionCounter.builder(name, count, s -> s.get().doubleValue())
      .description(description).tags(tags).register(meters);
  }

  /**
   * @return the Prometheus text of every meter
   */
  public String scrape() {
    if (vertxRegistry != null && vertxRegistry == application) {
      // the application handed Vert.x's registry: it holds the gateway's meters and Vert.x's
      return vertxRegistry.scrape();
    }
    String own = registry.scrape();
    return vertxRegistry == null ? own : own + (own.endsWith("\n") ? "" : "\n") + vertxRegistry.scrape();
  }

  /**
   * @return the summary of this gateway's meters
   */
  public GatewayStats stats() {
    Map<String, Long> executions = new LinkedHashMap<>();
    for (ExecutionStatus status : ExecutionStatus.values()) {
      if (status.isFinal()) {
        executions.put(status.id(), 0L);
      }
    }
    registry.find("execgate_executions").counters()
      .forEach(c -> executions.merge(c.getId().getTag("status"), (long) c.count(), Long::sum));
    long rejected = (long) registry.find("execgate_rejections").counters().stream().mapToDouble(Counter::count).sum();
    long poolReady = (long) registry.find("execgate_pool_ready").gauges().stream().mapToDouble(Gauge::value).sum();
    Map<String, Long> sessions = new LinkedHashMap<>();
    sessions.put("open", gauge("execgate_sessions_open"));
    sessions.put("created", (long) registry.find("execgate_sessions_created").counters().stream()
      .mapToDouble(Counter::count).sum());
    for (String ended : List.of("execgate_sessions_expired", "execgate_sessions_deleted", "execgate_sessions_died")) {
      registry.find(ended).counters()
        .forEach(c -> sessions.merge(c.getId().getTag("reason"), (long) c.count(), Long::sum));
    }
    return new GatewayStats(gauge("execgate_running"), gauge("execgate_queue_depth"), gauge("execgate_capacity"),
      executions, rejected, poolReady, sessions);
  }

  private long gauge(String name) {
    Gauge gauge = registry.find(name).gauge();
    return gauge == null ? 0 : (long) gauge.value();
  }
}
