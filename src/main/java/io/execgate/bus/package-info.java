/**
 * The event-bus protocol: {@link io.execgate.bus.Addresses} (every address, built from the
 * configured prefix), {@link io.execgate.bus.Headers} and the record codecs
 * ({@link io.execgate.bus.Codecs}). May use {@code model} only.
 */
package io.execgate.bus;
