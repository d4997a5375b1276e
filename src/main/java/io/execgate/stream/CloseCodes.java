package io.execgate.stream;

import java.nio.charset.StandardCharsets;

/**
 * The WebSocket close codes of the streaming API (the 4000-4999 range is the application's).
 */
public final class CloseCodes {

  /** The execution ended; its {@code exit} frame was the last frame. */
  public static final short NORMAL = 1000;
  /** The client broke the protocol: a second {@code run}, a binary frame. */
  public static final short PROTOCOL_VIOLATION = 4000;
  /** The peer answered no ping for two keepalive intervals. */
  public static final short KEEPALIVE_TIMEOUT = 4001;
  /** A watcher fell further behind than the execution's retained frames ({@code executor.streamRetainBytes}). */
  public static final short TOO_SLOW = 4008;
  /** A client message was larger than the gateway accepts. */
  public static final short MESSAGE_TOO_BIG = 4009;
  /** The requested frames are no longer retained (or do not exist). */
  public static final short REPLAY_UNAVAILABLE = 4010;
  /** The gateway could not go on with the stream (an executor vanished, an internal error). */
  public static final short STREAM_FAILED = 4011;
  /**
   * The client kept sending past what the socket takes: control messages past
   * {@code http.controlRatePerSecond}, or messages before admission past their bound, refused
   * more than {@code http.controlBurst} times within a second.
   */
  public static final short TOO_MANY_MESSAGES = 4029;

  /** A close frame's reason holds at most 123 bytes. */
  private static final int MAX_REASON_BYTES = 123;

  private CloseCodes() {
  }

  /**
   * @return {@code reason} cut to fit a close frame, on a character boundary
   */
  public static String reason(String reason) {
    String r = reason == null ? "" : reason;
    while (r.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
      r = r.substring(0, r.offsetByCodePoints(r.length(), -1));
    }
    return r;
  }
}
