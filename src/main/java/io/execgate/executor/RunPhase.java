package io.execgate.executor;

/**
 * Where one execution's run stands. A run goes through them in this order, skipping none but
 * those after a failure (then straight to {@link #FINISHING}).
 */
enum RunPhase {
  /** Registered, waiting for its image to be usable (maybe pulled). */
  IMAGE,
  /** Waiting for a run slot from the scheduler; a cancel makes it leave the queue. */
  SLOT,
  /** Getting its container (warm or created), attaching, starting. */
  STARTING,
  /** The program runs; its deadline is armed. */
  RUNNING,
  /** The program ended (or was killed): waiting for the engine's verdict on the container. */
  ENDING,
  /** The final result is being recorded and published, then the container removed and the slot released. */
  FINISHING
}
