package io.execgate.docker;

/**
 * What the engine's container list says about one labelled container, enough for the sweeper to
 * tell a runaway from legitimate work.
 *
 * @param id                  the container's id
 * @param execution           its {@link ContainerLabels#EXECUTION} label ({@link ContainerLabels#WARM} for a
 *                            warm pool's container), or {@code null}
 * @param running             whether it runs (or is paused or restarting), rather than created, exited or dead
 * @param createdEpochSeconds when it was created
 */
public record ManagedContainer(String id, String execution, boolean running, long createdEpochSeconds) {
}
