package io.execgate.pool;

import io.execgate.docker.AttachedOutput;
import io.execgate.docker.StdinSink;

/**
 * The streams of a warm container, attached by the pool ahead of time so that an execution that
 * takes it asks the engine for nothing before its program runs. Handed from the pool to the
 * executor through the node's {@link WarmHandoff}, by container id.
 *
 * @param output stdout and stderr, paused until the execution wires them
 * @param stdin  stdin, waiting for the program
 */
public record WarmStreams(AttachedOutput output, StdinSink stdin) {

  public void close() {
    output.close();
    stdin.close();
  }
}
