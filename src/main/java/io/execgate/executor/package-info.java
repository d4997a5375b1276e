/**
 * One execution in a container: {@link io.execgate.executor.ExecutorVerticle} takes jobs,
 * {@link io.execgate.executor.ExecutionRun} drives one (image, sandbox, attach, start, control,
 * limits, removal), {@link io.execgate.executor.Sandbox} creates or borrows its container and
 * {@link io.execgate.executor.RunOutcome} makes its result. May use {@code executor.launcher},
 * {@code pool}, {@code stream}, {@code docker}, {@code store}, {@code bus}, {@code metrics}, {@code config},
 * {@code model}, {@code error} and the API's options.
 */
package io.execgate.executor;
