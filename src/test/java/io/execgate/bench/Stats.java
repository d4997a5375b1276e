package io.execgate.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Latency samples in milliseconds and their percentiles.
 */
final class Stats {

  private final List<Double> samples = new ArrayList<>();
  private int errors;

  synchronized void add(double ms) {
    samples.add(ms);
  }

  synchronized void error() {
    errors++;
  }

  synchronized int count() {
    return samples.size();
  }

  synchronized int errors() {
    return errors;
  }

  synchronized double percentile(double p) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  JsonObject toJson() {
    return new JsonObject()
      .put("n", count())
      .put("errors", errors())
      .put("p50", round(percentile(50)))
      .put("p95", round(percentile(95)))
      .put("p99", round(percentile(99)));
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
