/**
 * What runs inside the container and its wire format: the launcher
 * {@link io.execgate.executor.launcher.JobScript}, the demultiplexer of the program's output
 * ({@link io.execgate.executor.launcher.StreamDemux}, {@link io.execgate.executor.launcher.ProgramOutput}),
 * its stdin ({@link io.execgate.executor.launcher.ProgramStdin}) and the signals it may receive
 * ({@link io.execgate.executor.launcher.SignalQueue}: one in flight, repeats merged). Pure protocol:
 * may use {@code docker}'s stream types, {@code store}'s record output, {@code model} and
 * {@code error} only.
 */
package io.execgate.executor.launcher;
