/**
 * The one port to the container engine: {@link io.execgate.docker.ContainerRuntime}, which is what a run
 * needs ({@link io.execgate.docker.SandboxRuntime}) and the housekeeping around it
 * ({@link io.execgate.docker.EngineHousekeeping}), and its
 * docker-java implementation {@link io.execgate.docker.DockerContainerRuntime} (its output and stdin
 * streams attached by {@link io.execgate.docker.ContainerAttacher}, its kills, removals and listings on
 * a lane and client of their own in {@link io.execgate.docker.ContainerEnforcement}), the sandbox's container profile
 * ({@link io.execgate.docker.SandboxProfile}), labels, pulls, runc advisories and the
 * {@link io.execgate.docker.ContainerRemover} that retries removals. The only package that touches
 * docker-java. May use {@code error}, {@code model}, {@code config} only (PackageRuleTest).
 */
package io.execgate.docker;
