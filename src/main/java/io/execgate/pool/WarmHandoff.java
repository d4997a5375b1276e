package io.execgate.pool;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a warm container's pre-attached streams go from the pool to the execution that takes the
 * container: the pool puts them here by container id once the container is ready, and the executor
 * that was handed the id takes them. One per node, built by the composition root and given to the
 * pool and to every executor instance; they run on different event loops, hence a concurrent map.
 */
public final class WarmHandoff {

  private final Map<String, WarmStreams> streams = new ConcurrentHashMap<>();

  /**
   * Leaves the streams of a ready warm container for the execution that will take it.
   */
  public void put(String containerId, WarmStreams s) {
    streams.put(containerId, s);
  }

  /**
   * @return the streams of {@code containerId}, which leave the hand-over, or {@code null} when there
   *   are none (the container was not pre-attached, or its streams were taken or dropped)
   */
  public WarmStreams take(String containerId) {
    return streams.remove(containerId);
  }
}
