package io.execgate.executor;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.docker.ContainerRemover;
import io.execgate.docker.SandboxRuntime;
import io.execgate.image.ConfirmedImages;
import io.execgate.pool.WarmHandoff;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputBudget;
import io.vertx.core.Vertx;

/**
 * What an execution run needs from its verticle.
 *
 * @param vertx     the Vertx
 * @param runtime   the container engine
 * @param store     execution records
 * @param addresses the gateway's addresses
 * @param options   the gateway's options
 * @param remover   removes the verticle's containers, retrying while the engine does not answer
 * @param budget    the node's budget of output held by records
 * @param images    the images the node's image cache confirmed a moment ago
 * @param warm      the streams of the node's warm containers, left by the pool
 */
record ExecutorContext(Vertx vertx, SandboxRuntime runtime, ExecutionStore store, Addresses addresses,
                       GatewayOptions options, ContainerRemover remover, OutputBudget budget,
                       ConfirmedImages images, WarmHandoff warm) {
}
