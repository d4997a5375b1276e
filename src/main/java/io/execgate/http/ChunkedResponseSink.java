package io.execgate.http;

import io.execgate.stream.FrameSink;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * What the frame sinks that write a chunked HTTP response share: the head (written with the first
 * bytes, uncompressed and uncached, so that every piece leaves at once, also through a buffering
 * proxy) and back-pressure from the response's write queue until the sink is closed.
 */
abstract class ChunkedResponseSink implements FrameSink {

  protected final HttpServerResponse response;
  private final String contentType;
  protected boolean closed;

  ChunkedResponseSink(HttpServerResponse response, String contentType) {
    this.response = response;
    this.contentType = contentType;
  }

  protected final void head() {
    if (!response.headWritten()) {
      response.setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
        .putHeader("x-accel-buffering", "no");
    }
  }

  @Override
  public boolean writeQueueFull() {
    return !closed && response.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    response.drainHandler(handler);
  }
}
