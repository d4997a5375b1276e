package io.execgate.http;

import io.execgate.model.Frame;
import io.vertx.core.buffer.Buffer;

/**
 * The binary framing of a WebSocket that negotiated {@value #SUBPROTOCOL}: each output frame
 * ({@code stdout}, {@code stderr}) is one binary message, a fixed {@value #HEADER_BYTES}-byte header
 * followed by the output's bytes; every other frame stays a JSON text message. Layout, big-endian:
 * <pre>
 * offset size
 *   0     1   type: 1 = output (other values reserved)
 *   1     1   stream: 1 = stdout, 2 = stderr
 *   2     1   stage: 0 = the run step, 1 = the compile step
 *   3     1   reserved, 0
 *   4     8   seq, the frame's place in the execution's sequence (as in JSON)
 *  12     4   t, milliseconds since submit (unsigned)
 *  16     4   test, the test case's index, or -1 for none
 *  20     n   the output, its UTF-8 bytes: the same bytes as the JSON frame's data
 * </pre>
 * The text is encoded straight into the message's buffer: no JSON is built for an output frame.
 */
final class BinaryFrames {

  /** The WebSocket subprotocol a client asks for to get binary output frames. */
  static final String SUBPROTOCOL = "execgate.binary.v1";
  static final int HEADER_BYTES = 20;
  static final byte OUTPUT = 1;
  static final byte STDOUT = 1;
  static final byte STDERR = 2;
  static final byte RUN = 0;
  static final byte COMPILE = 1;

  private BinaryFrames() {
  }

  /**
   * @return whether {@code frame} goes as a binary message
   */
  static boolean carries(Frame frame) {
    return (frame.type() == Frame.Type.STDOUT || frame.type() == Frame.Type.STDERR) && frame.data() != null;
  }

  /**
   * @param frame an output frame ({@link #carries})
   * @return its binary message
   */
  static Buffer encode(Frame frame) {
    String data = frame.data();
    // ASCII output, the common case, is one byte a character: sized right the first time
    Buffer b = Buffer.buffer(HEADER_BYTES + data.length());
    b.appendByte(OUTPUT)
      .appendByte(frame.type() == Frame.Type.STDERR ? STDERR : STDOUT)
      .appendByte(Frame.COMPILE_STAGE.equals(frame.stage()) ? COMPILE : RUN)
      .appendByte((byte) 0)
      .appendLong(frame.seq())
      .appendInt((int) frame.t())
      .appendInt(frame.test() == null ? -1 : frame.test());
    return b.appendString(data);
  }
}
