/**
 * Micrometer meters and the operational counters of {@code /v1/stats}
 * ({@link io.execgate.metrics.GatewayMetrics}). May use {@code bus} (the map's name) and {@code model}.
 */
package io.execgate.metrics;
