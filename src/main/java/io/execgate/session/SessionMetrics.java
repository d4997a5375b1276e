package io.execgate.session;

import io.execgate.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The sessions' meters on this node: {@code execgate_sessions_open}, and the created, expired, deleted
 * and died totals (the last three tagged with the reason).
 */
final class SessionMetrics {

  private final GatewayMetrics metrics;
  private final AtomicLong open = new AtomicLong();

  SessionMetrics(GatewayMetrics metrics) {
    this.metrics = metrics;
    metrics.gauge("execgate_sessions_open", "Sessions open on this node", open, AtomicLong::get);
  }

  void open(int count) {
    open.set(count);
  }

  void created() {
    Counter.builder("execgate_sessions_created").description("Sessions created").register(metrics.registry())
      .increment();
  }

  void ended(String reason) {
    Counter.builder(reason.startsWith("expired") ? "execgate_sessions_expired" : reason.equals(SessionVerticle.DELETED)
        ? "execgate_sessions_deleted" : "execgate_sessions_died").description("Sessions ended, by how")
      .tag("reason", reason).register(metrics.registry()).increment();
  }
}
