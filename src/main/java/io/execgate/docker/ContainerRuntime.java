package io.execgate.docker;

import java.util.Map;

/**
 * The narrow port through which the gateway drives a container engine: what a run needs
 * ({@link SandboxRuntime}) and the housekeeping around it ({@link EngineHousekeeping}). Every method
 * returns at once; blocking engine calls run on worker pools and complete on the caller's context.
 * The pools are separate by purpose, each with a bounded queue: {@link #kill}, {@link #remove} and the
 * listings (what enforces deadlines and cleans up) never wait behind the executions' lifecycle calls,
 * and neither waits behind {@link #signal}, which clients trigger.
 */
public interface ContainerRuntime extends SandboxRuntime, EngineHousekeeping, AutoCloseable {

  /**
   * @return engine calls running or waiting, by purpose ({@code enforcement}, {@code lifecycle},
   *   {@code client})
   */
  default Map<String, Integer> pendingCalls() {
    return Map.of();
  }

  /**
   * @return engine calls refused because their purpose's queue was full, by purpose
   */
  default Map<String, Long> refusedCalls() {
    return Map.of();
  }

  @Override
  void close();
}
