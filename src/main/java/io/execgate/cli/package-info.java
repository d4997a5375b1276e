/**
 * The runnable gateway: {@link io.execgate.cli.Main} (commands, signals, logging) and
 * {@link io.execgate.cli.ConfigLoader}, which reads {@code conf/config.json} and the environment into
 * {@link io.execgate.GatewayOptions}. May use the API, {@code config}, {@code auth}, {@code cluster};
 * nothing depends on it.
 */
package io.execgate.cli;
