/**
 * The warm pool: {@link io.execgate.pool.WarmPoolVerticle} keeps started, attached containers
 * per {@link io.execgate.model.PoolKey} (one {@link io.execgate.pool.ImagePool} each) and hands one to a run with its live streams
 * ({@link io.execgate.pool.WarmStreams}). May use {@code executor.launcher} (the launcher it starts),
 * {@code docker}, {@code bus}, {@code metrics}, {@code config}, {@code model}, {@code error}, the API's
 * options.
 */
package io.execgate.pool;
