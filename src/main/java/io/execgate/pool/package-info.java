/**
 * The warm pool: {@link io.execgate.pool.WarmPoolVerticle} keeps started, attached containers
 * per {@link io.execgate.model.PoolKey} (one {@link io.execgate.pool.ImagePool} each) and hands one to a run with its live streams
 * ({@link io.execgate.pool.WarmStreams}), left for the executors in the node's
 * {@link io.execgate.pool.WarmHandoff}, which the composition root gives to both. May use
 * {@code executor.launcher} (the launcher it starts), {@code docker}, {@code bus}, {@code metrics},
 * {@code config}, {@code model}, {@code error}, the API's options.
 */
package io.execgate.pool;
