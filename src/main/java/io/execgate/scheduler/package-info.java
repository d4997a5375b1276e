/**
 * Admission, slots and fairness: {@link io.execgate.scheduler.SchedulerVerticle} admits
 * jobs, hands out execution slots and queues the rest in a {@link io.execgate.scheduler.FairQueue}
 * (turns per key, by weight). May use {@code bus}, {@code metrics}, {@code config}, {@code model},
 * {@code error}.
 */
package io.execgate.scheduler;
