/**
 * Typed configuration: the options classes {@link io.execgate.GatewayOptions} is made of
 * ({@link io.execgate.config.HttpOptions}, {@link io.execgate.config.ExecutorOptions},
 * {@link io.execgate.config.PoolOptions}, {@link io.execgate.config.ImageCacheOptions},
 * {@link io.execgate.config.DockerOptions}, {@link io.execgate.config.ClusterOptions},
 * {@link io.execgate.config.OutputRetentionOptions}) with the converters that read and write the
 * largest ({@code *OptionsConverter}), the values they hold ({@link io.execgate.config.QueueOrder},
 * {@link io.execgate.config.HostMemoryCheck}, {@link io.execgate.config.ImageGlob} and
 * {@link io.execgate.config.HostGlob} (one compiler, {@code Glob}),
 * {@link io.execgate.config.Backoff}), the strict {@link io.execgate.config.JsonReader} and
 * {@link io.execgate.config.ConfigException}. Pure and leaf-like: may use {@code model} only.
 */
package io.execgate.config;
