/**
 * execgate: a reactive execution gateway that runs untrusted scripts in single-use, locked-down
 * Docker containers and streams their output.
 * <p>
 * Deploy it into a {@link io.vertx.core.Vertx} with
 * {@link io.execgate.ExecutionGateway#deploy(io.vertx.core.Vertx, io.execgate.GatewayOptions)}.
 */
package io.execgate;
