package io.execgate.docker;

/**
 * The streams of a process started in a running container ({@link ContainerRuntime#exec}).
 *
 * @param output its stdout and stderr; ends when the process exits
 * @param stdin  its stdin; ending or closing it stops feeding the process, which never sees EOF
 */
public record ExecStreams(AttachedOutput output, StdinSink stdin) {
}
