package io.execgate.http;

import io.execgate.error.GatewayException;
import io.execgate.model.Frame;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Frames in a chunked HTTP response, as Server-Sent Events or as NDJSON. The head is written with
 * the first frame; compression is off so that every frame leaves at once. Keepalives (an SSE
 * comment, an NDJSON {@code keepalive} frame) keep proxies from timing the stream out and let a
 * dead peer be noticed by a failed write.
 */
final class ResponseSink extends ChunkedResponseSink {

  /** How frames are written. */
  enum Format {
    SSE("text/event-stream; charset=utf-8"),
    NDJSON("application/x-ndjson");

    private final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }
  }

  private final Vertx vertx;
  private final Format format;
  private long timer = -1;

  ResponseSink(Vertx vertx, HttpServerResponse response, Format format) {
    super(response, format.contentType);
    this.vertx = vertx;
    this.format = format;
  }

  void keepalive(long intervalMs) {
    timer = vertx.setPeriodic(intervalMs, t -> {
      if (!closed && !response.writeQueueFull()) {
        if (format == Format.SSE) {
          head();
          response.write(": keepalive\n\n");
        } else if (response.headWritten()) {
          write(JsonFrames.keepalive());
        }
      }
    });
  }

  /**
   * The client left, or the stream ended: stop the keepalives.
   */
  void closed() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  boolean headWritten() {
    return response.headWritten();
  }

  @Override
  public void write(Frame frame) {
    if (closed) {
      return;
    }
    head();
    // encoded straight into the buffer that is written: one copy of a frame, not three
    Buffer json = frame.toJson().toBuffer();
    if (format == Format.NDJSON) {
      response.write(json.appendByte((byte) '\n'));
    } else {
      Buffer event = Buffer.buffer(json.length() + 32);
      if (frame.seq() >= 0) {
        event.appendString("id: " + frame.seq() + "\n");
      }
      response.write(event.appendString("data: ").appendBuffer(json).appendString("\n\n"));
    }
  }

  @Override
  public void end() {
    if (closed) {
      return;
    }
    closed();
    if (!response.headWritten() && format == Format.SSE) {
      // nothing left to send: 204 tells an EventSource to stop reconnecting
      response.setStatusCode(204).end();
    } else {
      head();
      response.end();
    }
  }

  @Override
  public void fail(int closeCode, GatewayException error) {
    if (closed) {
      return;
    }
    if (!response.headWritten()) {
      // nothing streamed yet: an ordinary error response
      closed();
      ApiErrors.send(response, error);
      return;
    }
    write(JsonFrames.error(error));
    closed();
    response.end();
  }
}
