/**
 * Micrometer meters and the operational counters of {@code /v1/stats}
 * ({@link io.execgate.metrics.GatewayMetrics}). May use {@code model} only.
 */
package io.execgate.metrics;
