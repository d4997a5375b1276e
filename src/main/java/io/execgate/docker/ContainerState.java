package io.execgate.docker;

/**
 * What the engine says about a container after its program ended.
 *
 * @param running   whether it still runs
 * @param exitCode  its main process's exit code, or {@code null} while running
 * @param oomKilled whether the memory limit killed a process in it
 * @param error     the engine's error text, or {@code null}
 */
public record ContainerState(boolean running, Long exitCode, boolean oomKilled, String error) {
}
