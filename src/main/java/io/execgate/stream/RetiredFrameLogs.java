package io.execgate.stream;

import io.vertx.core.Vertx;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Frame logs of ended executions, still answering replays for a grace period so that late joiners
 * and reconnecting clients get the real frames; bounded in total weight, the oldest going first.
 * Owned by one executor verticle and touched only on its context.
 */
public final class RetiredFrameLogs {

  private final Vertx vertx;
  private final long graceMs;
  private final long maxBytes;
  private final LinkedHashMap<FrameLog, Long> logs = new LinkedHashMap<>();
  private long bytes;

  public RetiredFrameLogs(Vertx vertx, long graceMs, long maxBytes) {
    this.vertx = vertx;
    this.graceMs = graceMs;
    this.maxBytes = maxBytes;
  }

  /**
   * Keeps {@code log} answerable for the grace period, then closes it.
   */
  public void retire(FrameLog log) {
    if (graceMs <= 0 || log.retainedBytes() > maxBytes) {
      log.close();
      return;
    }
    long timer = vertx.setTimer(graceMs, t -> {
      if (logs.remove(log) != null) {
        bytes -= log.retainedBytes();
        log.close();
      }
    });
    logs.put(log, timer);
    bytes += log.retainedBytes();
    Iterator<Map.Entry<FrameLog, Long>> oldest = logs.entrySet().iterator();
    while (bytes > maxBytes && oldest.hasNext()) {
      Map.Entry<FrameLog, Long> e = oldest.next();
      oldest.remove();
      vertx.cancelTimer(e.getValue());
      bytes -= e.getKey().retainedBytes();
      e.getKey().close();
    }
  }

  /**
   * @return how many ended executions can still be replayed
   */
  int size() {
    return logs.size();
  }

  public void closeAll() {
    logs.forEach((log, timer) -> {
      vertx.cancelTimer(timer);
      log.close();
    });
    logs.clear();
    bytes = 0;
  }
}
