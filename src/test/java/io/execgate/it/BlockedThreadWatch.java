package io.execgate.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Vert.x's blocked-thread warnings ("Thread ... has been blocked for ..."), so that a test
 * can fail when anything blocked an event loop.
 */
final class BlockedThreadWatch extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  static BlockedThreadWatch install() {
    BlockedThreadWatch watch = new BlockedThreadWatch();
    watch.setName("blocked-thread-watch");
    watch.start();
    ((Logger) LoggerFactory.getLogger(CHECKER)).addAppender(watch);
    return watch;
  }

  @Override
  protected void append(ILoggingEvent event) {
    warnings.add(event.getFormattedMessage());
  }

  List<String> eventLoopWarnings() {
    return warnings.stream().filter(w -> w.contains("eventloop")).toList();
  }

  @Override
  public void close() {
    ((Logger) LoggerFactory.getLogger(CHECKER)).detachAppender(this);
    stop();
  }
}
