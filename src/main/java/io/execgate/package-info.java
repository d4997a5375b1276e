/**
 * execgate: a reactive execution gateway that runs untrusted scripts in single-use, locked-down
 * Docker containers and streams their output.
 * <p>
 * Deploy it into a {@link io.vertx.core.Vertx} with
 * {@link io.execgate.ExecutionGateway#deploy(io.vertx.core.Vertx, io.execgate.GatewayOptions)}; serve
 * its HTTP API from its own server or mount {@link io.execgate.ExecutionGateway#router()} in an
 * application's router; run code in-process with an {@link io.execgate.ExecutionClient}, whose
 * {@link io.execgate.ExecutionStream streams} carry back-pressure to the program. Requests are
 * {@link io.execgate.model.ExecutionRequest}s, results {@link io.execgate.model.ExecutionResult}s.
 * <p>
 * This package is the API only (and {@code GatewayOptions}' default runtime table). It may use
 * {@code config}, {@code auth} and {@code bus} for the options, and {@code model}; its factories
 * alone reach the implementations ({@code ExecutionGateway} to {@code impl}, {@code ExecutionClient}
 * to {@code client}), the only edges of a package cycle that PackageRuleTest allows.
 */
package io.execgate;
