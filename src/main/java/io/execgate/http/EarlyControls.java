package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.Control;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The commands an interactive socket sent while its run was being admitted, kept in order and sent on
 * once it is; bounded by count and by stdin bytes.
 */
final class EarlyControls {

  /**
   * Messages kept while the run is being admitted, whatever their size: a zero-byte {@code cancel}
   * or {@code stdin} costs an entry all the same.
   */
  static final int MAX_EARLY_MESSAGES = 256;

  private final int maxStdinBytes;
  private final List<Control> early = new ArrayList<>();
  private long earlyBytes;

  EarlyControls(int maxStdinBytes) {
    this.maxStdinBytes = maxStdinBytes;
  }

  /**
   * Keeps a message sent before the run was admitted, within bounds by count and by stdin bytes; a
   * cancel or signal already waiting is not kept twice.
   *
   * @return null when the message is kept (or already waits), else why it is refused
   */
  GatewayException offer(Control c) {
    if (c.type() != Control.Type.STDIN && early.contains(c)) {
      return null;
    }
    long bytes = c.data() == null ? 0 : c.data().length();
    if (early.size() >= MAX_EARLY_MESSAGES) {
      return new GatewayException(ErrorCode.RATE_LIMITED, "more than " + MAX_EARLY_MESSAGES
        + " messages before the execution was admitted; this " + c.type().id() + " was dropped");
    } else if (earlyBytes + bytes > maxStdinBytes) {
      return new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "more than " + maxStdinBytes
        + " bytes of stdin before the execution was admitted");
    }
    earlyBytes += bytes;
    early.add(c);
    return null;
  }

  /**
   * Sends the kept commands on, in order, and forgets them.
   */
  void sendTo(Consumer<Control> control) {
    early.forEach(control);
    early.clear();
  }

  /**
   * Forgets the kept commands: the run was refused.
   */
  void clear() {
    early.clear();
    earlyBytes = 0;
  }
}
