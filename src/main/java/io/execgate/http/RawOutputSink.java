package io.execgate.http;

import io.execgate.error.GatewayException;
import io.execgate.model.Frame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * One stream of an execution's run (stdout or stderr) as the bytes of a chunked
 * {@code application/octet-stream} response, from a byte offset: each output frame's text goes out
 * as its UTF-8 bytes, with no JSON around it; every other frame is only read for the end. The head
 * is written with the first byte (or at the end), so an error found before that is an ordinary
 * error response; one found later resets the connection, so the body never ends as if complete.
 */
final class RawOutputSink extends ChunkedResponseSink {

  static final String OCTET_STREAM = "application/octet-stream";

  private final Frame.Type type;
  /** Bytes still to skip before the offset is reached. */
  private long skip;

  /**
   * @param stderr which stream
   * @param offset the first byte sent, counted from the stream's start
   */
  RawOutputSink(HttpServerResponse response, boolean stderr, long offset) {
    super(response, OCTET_STREAM);
    this.type = stderr ? Frame.Type.STDERR : Frame.Type.STDOUT;
    this.skip = offset;
  }

  /**
   * The client left: nothing more is written.
   */
  void closed() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void write(Frame frame) {
    // the compile step's output is not the program's
    if (frame.type() == type && frame.stage() == null && frame.data() != null) {
      text(frame.data());
    }
  }

  /**
   * Writes a piece of the stream's text, as its UTF-8 bytes.
   */
  void text(String text) {
    if (closed) {
      return;
    }
    Buffer bytes = Buffer.buffer(text);
    if (skip > 0) {
      if (skip >= bytes.length()) {
        skip -= bytes.length();
        return;
      }
      bytes = bytes.getBuffer((int) skip, bytes.length());
      skip = 0;
    }
    if (bytes.length() > 0) {
      head();
      response.write(bytes);
    }
  }

  @Override
  public void end() {
    if (closed) {
      return;
    }
    closed = true;
    head();
    response.end();
  }

  @Override
  public void fail(int closeCode, GatewayException error) {
    if (closed) {
      return;
    }
    closed = true;
    if (!response.headWritten()) {
      ApiErrors.send(response, error);
    } else {
      // bytes are out already: no status can tell, a body cut short does (curl: exit 18)
      response.reset();
    }
  }
}
