/**
 * One execution in a container: {@link io.execgate.executor.ExecutorVerticle} takes jobs,
 * {@link io.execgate.executor.ExecutionRun} drives one through its
 * {@link io.execgate.executor.RunPhase}s (image, slot, sandbox, attach, start, limits, removal), with
 * {@link io.execgate.executor.RunControl} taking its clients' controls,
 * {@link io.execgate.executor.RunRecord} writing its record, {@link io.execgate.executor.RunDeadline}
 * its deadline, {@link io.execgate.executor.RunOutput} reading its output and
 * {@link io.execgate.executor.RunKill} killing its program; {@link io.execgate.executor.ImageWait} and {@link io.execgate.executor.SlotWait} wait for
 * its image and slot, {@link io.execgate.executor.Sandbox} creates or borrows its container and
 * {@link io.execgate.executor.RunOutcome} makes its result. May use {@code executor.launcher},
 * {@code pool}, {@code stream}, {@code docker}, {@code store}, {@code bus}, {@code metrics}, {@code config},
 * {@code image}'s {@link io.execgate.image.ConfirmedImages},
 * {@code model}, {@code error} and the API's options.
 */
package io.execgate.executor;
