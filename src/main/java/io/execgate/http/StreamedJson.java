package io.execgate.http;

import io.execgate.store.TextSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * A JSON response whose large strings are written as they are read, with back-pressure, instead of
 * as one encoded buffer (escaping alone can make a text six times larger). The body is built as a
 * {@link JsonObject} in which each large text is a placeholder from {@link #slot}, anywhere inside a
 * string value; the encoded body is cut at the placeholders, and each text is read from its source a
 * piece at a time, escaped a slice at a time, and written, the next slice only once the connection
 * has room. A client that does not read holds a slice, never a whole text.
 */
final class StreamedJson {

  private static final Logger log = LoggerFactory.getLogger(StreamedJson.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Characters escaped and written at once: at most six times as many bytes. */
  static final int SLICE_CHARS = 8 * 1024;
  /**
   * Slices written in one turn of the event loop. A client that reads as fast as it is written never
   * fills the write queue: without a turn's end the answer would hold its event loop until its last
   * byte (seen: 0.4 s for 2 x 8 MiB of control bytes, during which a {@code /health} on that loop
   * waited). The next turn is a 1 ms timer, not a task: the loop runs queued tasks back to back, for
   * up to a second, before it reads its sockets or fires its timers again, so turns queued as tasks
   * held the loop until the answer's end all the same.
   */
  static final int SLICES_PER_TURN = 8;

  private final String marker;
  private final List<Supplier<TextSource>> sources = new ArrayList<>();

  StreamedJson() {
    byte[] nonce = new byte[8];
    RANDOM.nextBytes(nonce);
    // a control character and a random nonce: no text of the body can look like a placeholder
    this.marker = "\u0000" + HexFormat.of().formatHex(nonce) + ":";
  }

  /**
   * @param source a new source of the text each time the placeholder is written (it may appear more than once)
   * @return the placeholder to put in the body where the text goes
   */
  String slot(Supplier<TextSource> source) {
    sources.add(source);
    return marker + (sources.size() - 1) + "\u0000";
  }

  /**
   * Writes the response: status, headers, then the body, texts streamed.
   *
   * @return completes when the response ended, fails when the client left or a text could not be read
   *   (the connection is then reset: the client never sees a short body as a whole one)
   */
  Future<Void> send(HttpServerResponse response, int status, JsonObject body) {
    List<Object> parts = parse(body.encode());
    response.setStatusCode(status).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    Writer writer = new Writer(response, parts);
    response.closeHandler(v -> writer.stop(null));
    writer.pump();
    return writer.done.future();
  }

  /**
   * @return the encoded body cut at its placeholders: strings (JSON as is) and integers (the source to write there)
   */
  private List<Object> parse(String encoded) {
    String open = encodedInString(marker);
    String close = encodedInString("\u0000");
    List<Object> parts = new ArrayList<>();
    int from = 0;
    for (int at = encoded.indexOf(open); at >= 0; at = encoded.indexOf(open, from)) {
      int digits = at + open.length();
      int end = encoded.indexOf(close, digits);
      parts.add(encoded.substring(from, at));
      parts.add(Integer.parseInt(encoded.substring(digits, end)));
      from = end + close.length();
    }
    parts.add(encoded.substring(from));
    return parts;
  }

  private static String encodedInString(String s) {
    String quoted = Json.encode(s);
    return quoted.substring(1, quoted.length() - 1);
  }

  /** Writes the parts in order, pausing while the connection's write queue is full. */
  private final class Writer {

    private final HttpServerResponse response;
    private final List<Object> parts;
    private final Promise<Void> done = Promise.promise();
    private int nextPart;
    private TextSource source;
    private String piece;
    private int offset;
    private boolean reading;
    private final Context context = Vertx.currentContext();

    Writer(HttpServerResponse response, List<Object> parts) {
      this.response = response;
      this.parts = parts;
    }

    void pump() {
      int slices = 0;
      while (!done.future().isComplete()) {
        if (reading) {
          return;
        }
        if (response.writeQueueFull()) {
          response.drainHandler(v -> pump());
          return;
        }
        if (piece != null) {
          if (slices++ == SLICES_PER_TURN) {
            // the rest once the loop has read its connections again (see SLICES_PER_TURN)
            context.owner().setTimer(1, t -> pump());
            return;
          }
          writeSlice();
        } else if (source != null) {
          read();
        } else if (nextPart == parts.size()) {
          response.end();
          done.tryComplete();
        } else {
          Object part = parts.get(nextPart++);
          if (part instanceof String json) {
            response.write(json);
          } else {
            source = sources.get((Integer) part).get();
          }
        }
      }
    }

    private void read() {
      Future<String> next = source.next();
      if (next.isComplete()) {
        // an inline text, a local store: go on in this loop rather than one call deeper per piece
        accept(next);
        return;
      }
      reading = true;
      next.onComplete(ar -> {
        reading = false;
        accept(next);
        pump();
      });
    }

    private void accept(Future<String> next) {
      if (next.failed()) {
        stop(next.cause());
      } else if (next.result() == null) {
        source = null;
      } else {
        piece = next.result();
        offset = 0;
      }
    }

    private void writeSlice() {
      int end = Math.min(piece.length(), offset + SLICE_CHARS);
      if (end < piece.length() && Character.isHighSurrogate(piece.charAt(end - 1))) {
        end--;
      }
      response.write(JsonStringBytes.escape(piece, offset, end));
      offset = end;
      if (offset == piece.length()) {
        piece = null;
      }
    }

    void stop(Throwable failure) {
      if (done.future().isComplete()) {
        return;
      }
      if (failure == null) {
        done.tryFail("the client went away before the response was written");
        return;
      }
      log.warn("a response could not be written whole, its connection is reset: {}", failure.getMessage());
      done.tryFail(failure);
      response.reset();
    }
  }
}
