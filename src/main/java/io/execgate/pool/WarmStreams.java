package io.execgate.pool;

import io.execgate.bus.Addresses;
import io.execgate.docker.AttachedOutput;
import io.execgate.docker.StdinSink;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * The streams of a warm container, attached by the pool ahead of time so that an execution that
 * takes it asks the engine for nothing before its program runs. Handed from the pool to the
 * executor through the node's local shared data, by container id.
 *
 * @param output stdout and stderr, paused until the execution wires them
 * @param stdin  stdin, waiting for the program
 */
public record WarmStreams(AttachedOutput output, StdinSink stdin) implements Shareable {

  public static LocalMap<String, WarmStreams> map(Vertx vertx, String addressPrefix) {
    return vertx.sharedData().getLocalMap(new Addresses(addressPrefix).warmStreamsMap());
  }

  public void close() {
    output.close();
    stdin.close();
  }
}
