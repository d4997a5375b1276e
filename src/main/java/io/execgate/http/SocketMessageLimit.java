package io.execgate.http;

/**
 * What one interactive socket may send: control messages ({@code signal}, {@code cancel},
 * {@code stdin_close}) at a sustained rate with a burst, as a token bucket, and a bounded number of
 * refusals in a row before the socket is closed, so that a flood neither reaches the executor nor
 * makes the gateway write an error frame per message without end. Used on the socket's event loop
 * only.
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

  private final double perNano;
  private final int burst;
  private double tokens;
  private long refilledAt;
  private int refusedInARow;

  /**
   * @param perSecond sustained control messages per second
   * @param burst     control messages that may come at once; also the refusals in a row that close the socket
   * @param nowNanos  the current time
   */
  SocketMessageLimit(int perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = nowNanos;
  }

  /**
   * A control message arrived.
   */
  Verdict control(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - refilledAt) * perNano);
    refilledAt = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      refusedInARow = 0;
      return Verdict.ACCEPT;
    }
    return refuse();
  }

  /**
   * A message was refused for another reason (a bound of the socket's own): it counts towards the
   * refusals in a row.
   */
  Verdict refuse() {
    refusedInARow++;
    return refusedInARow > burst ? Verdict.CLOSE : Verdict.REFUSE;
  }

  /**
   * A message not subject to the rate was taken: the run of refusals ends.
   */
  void accepted() {
    refusedInARow = 0;
  }
}
