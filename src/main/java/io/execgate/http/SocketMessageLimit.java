package io.execgate.http;

/**
 * What one interactive socket may send: control messages ({@code signal}, {@code cancel},
 * {@code stdin_close}) at a sustained rate with a burst, as a token bucket, and a bounded number of
 * refused messages per second before the socket is closed, so that a flood neither reaches the
 * executor nor makes the gateway write an error frame per message without end. Used on the
 * socket's event loop only.
 */
final class SocketMessageLimit {

  /** What to do with a message. */
  enum Verdict {
    /** Take it. */
    ACCEPT,
    /** Drop it and tell the client with an error frame. */
    REFUSE,
    /** Drop it and close the socket: the client kept sending past the limit. */
    CLOSE
  }

  private static final long WINDOW_NANOS = 1_000_000_000L;

  private final double perNano;
  private final int burst;
  private double tokens;
  private long refilledAt;
  private long windowStart;
  private int refusedInWindow;

  /**
   * @param perSecond sustained control messages per second
   * @param burst     control messages that may come at once; also the refusals within a second that
   *                  close the socket
   * @param nowNanos  the current time
   */
  SocketMessageLimit(int perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = nowNanos;
    this.windowStart = nowNanos;
  }

  /**
   * A control message arrived.
   */
  Verdict control(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - refilledAt) * perNano);
    refilledAt = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return Verdict.ACCEPT;
    }
    return refuse(nowNanos);
  }

  /**
   * A message was refused, for the rate or for a bound of the socket's own: past {@code burst}
   * refusals within a second, the socket is closed.
   */
  Verdict refuse(long nowNanos) {
    if (nowNanos - windowStart > WINDOW_NANOS) {
      windowStart = nowNanos;
      refusedInWindow = 0;
    }
    return ++refusedInWindow > burst ? Verdict.CLOSE : Verdict.REFUSE;
  }
}
