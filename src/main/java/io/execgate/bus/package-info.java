/**
 * The event-bus protocol: {@link io.execgate.bus.Addresses} (every address, built from the
 * configured prefix), {@link io.execgate.bus.Headers}, the record codecs
 * ({@link io.execgate.bus.Codecs}), and one typed channel per component, which holds each operation's
 * address, body types and send timeout: {@link io.execgate.bus.SchedulerChannel},
 * {@link io.execgate.bus.ExecutorChannel}, {@link io.execgate.bus.ExecutionChannel} (one execution's
 * control and replay), {@link io.execgate.bus.ImageChannel}, {@link io.execgate.bus.PoolChannel},
 * {@link io.execgate.bus.WebhookChannel}. May use {@code model} only.
 */
package io.execgate.bus;
