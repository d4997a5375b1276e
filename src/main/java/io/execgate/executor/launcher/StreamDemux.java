package io.execgate.executor.launcher;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Splits one of a sandbox's output streams into the program's text and the launcher's records.
 * Text is decoded as UTF-8 incrementally, so that a character split across chunks is never split
 * across frames (invalid bytes become U+FFFD). It is capped twice: at {@code limit} bytes per step
 * (a compile step's record may start the run step's count once, see {@link #restartCap()}), and at
 * {@code totalLimit} bytes for the whole stream, which nothing resets. Records are recognised by
 * their nonce prefix even when split across chunks; a record the sink refuses is program text.
 * <p>
 * Between two records, the sink may switch the stream to bytes ({@link #binary(boolean)}): what
 * follows is handed over raw, outside the caps, until a record switches it back; records are still
 * recognised in it (the nonce cannot occur in the bytes, which the program made without knowing it).
 */
final class StreamDemux {

  /** What the demux finds, in stream order. */
  interface Sink {

    void text(String text);

    /** The cap was passed after {@code keptBytes} bytes; later text is dropped. */
    void truncated(long keptBytes);

    /**
     * @return whether the record was taken as the launcher's; if not, its bytes are program text
     */
    boolean record(List<String> fields);

    /** Raw bytes, while the stream is switched to bytes. */
    default void bytes(byte[] buf, int from, int to) {
    }
  }

  private static final byte RS = 0x1e;
  private static final int MAX_RECORD_BODY = 128;
  private static final byte[] EMPTY = new byte[0];

  private final byte[] prefix;
  private final long limit;
  private final long totalLimit;
  private final Sink sink;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
    .onMalformedInput(CodingErrorAction.REPLACE)
    .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private byte[] carry = EMPTY;
  private byte[] partial = EMPTY;
  private long kept;
  private long total;
  private boolean truncated;
  private boolean closed;
  private boolean binary;

  StreamDemux(byte[] prefix, long limit, Sink sink) {
    this(prefix, limit, limit, sink);
  }

  /**
   * @param limit      bytes of text kept per step
   * @param totalLimit bytes of text kept in all, whatever restarts the step's count
   */
  StreamDemux(byte[] prefix, long limit, long totalLimit, Sink sink) {
    this.prefix = prefix;
    this.limit = limit;
    this.totalLimit = totalLimit;
    this.sink = sink;
  }

  /**
   * @return bytes of program text kept so far, in all steps
   */
  long keptBytes() {
    return total;
  }

  boolean isTruncated() {
    return truncated;
  }

  /**
   * Starts counting the step's kept bytes from zero again, so that the next step of the program
   * gets the whole per-step cap (unless the stream was already cut); the total cap still holds.
   */
  void restartCap() {
    if (!truncated) {
      kept = 0;
    }
  }

  /**
   * Starts the next test case: its text gets the whole per-step cap again, even after the previous
   * test passed it (each test of a judged run has its own cap, and no total).
   */
  void nextTest() {
    kept = 0;
    truncated = false;
    partial = EMPTY;
    decoder.reset();
  }

  /**
   * Switches the stream between text and raw bytes; called by the sink while it takes a record.
   */
  void binary(boolean on) {
    binary = on;
  }

  boolean isBinary() {
    return binary;
  }

  /**
   * Stops: whatever arrives later is ignored (output of processes that outlive the program).
   */
  void close() {
    if (!closed) {
      flush();
      closed = true;
    }
  }

  void feed(byte[] data) {
    if (closed) {
      return;
    }
    byte[] buf = carry.length == 0 ? data : concat(carry, data);
    carry = EMPTY;
    int start = 0;
    int i = 0;
    while (i < buf.length && !closed) {
      if (buf[i] != RS) {
        i++;
        continue;
      }
      int avail = buf.length - i;
      if (!regionMatches(buf, i, Math.min(avail, prefix.length))) {
        i++;
        continue;
      }
      if (avail < prefix.length) {
        text(buf, start, i);
        carry = Arrays.copyOfRange(buf, i, buf.length);
        return;
      }
      int end = indexOf(buf, RS, i + prefix.length);
      if (end < 0) {
        if (avail - prefix.length > MAX_RECORD_BODY) {
          i++;
          continue;
        }
        text(buf, start, i);
        carry = Arrays.copyOfRange(buf, i, buf.length);
        return;
      }
      text(buf, start, i);
      flush();
      String body = new String(buf, i + prefix.length, end - i - prefix.length, StandardCharsets.US_ASCII);
      if (sink.record(List.of(body.split(":", -1)))) {
        start = end + 1;
      } else {
        start = i;
      }
      i = end + 1;
    }
    if (!closed) {
      text(buf, start, buf.length);
    }
  }

  /**
   * The stream ended without more data: an incomplete character at its end becomes U+FFFD.
   */
  void end() {
    if (!closed) {
      if (carry.length > 0) {
        byte[] rest = carry;
        carry = EMPTY;
        text(rest, 0, rest.length);
      }
      close();
    }
  }

  private void text(byte[] buf, int from, int to) {
    int len = to - from;
    if (len > 0 && binary) {
      sink.bytes(buf, from, to);
      return;
    }
    if (len <= 0 || truncated) {
      return;
    }
    int take = (int) Math.min(len, Math.min(limit - kept, totalLimit - total));
    if (take > 0) {
      kept += take;
      total += take;
      decode(buf, from, take, false);
    }
    if (take < len) {
      truncated = true;
      // a character cut by the cap is dropped, not replaced
      partial = EMPTY;
      decoder.reset();
      sink.truncated(kept);
    }
  }

  private void flush() {
    if (partial.length > 0) {
      decode(EMPTY, 0, 0, true);
    }
    decoder.reset();
  }

  private void decode(byte[] buf, int from, int len, boolean endOfInput) {
    if (partial.length == 0 && isAscii(buf, from, len)) {
      // the common case, plain ASCII: one copy into a compact string, no decoder, no char buffer
      if (len > 0) {
        sink.text(new String(buf, from, len, StandardCharsets.ISO_8859_1));
      }
      return;
    }
    ByteBuffer in;
    if (partial.length > 0) {
      byte[] joined = new byte[partial.length + len];
      System.arraycopy(partial, 0, joined, 0, partial.length);
      System.arraycopy(buf, from, joined, partial.length, len);
      in = ByteBuffer.wrap(joined);
    } else {
      in = ByteBuffer.wrap(buf, from, len);
    }
    CharBuffer out = CharBuffer.allocate(in.remaining() + 2);
    decoder.decode(in, out, endOfInput);
    if (endOfInput) {
      decoder.flush(out);
    }
    partial = in.hasRemaining() ? Arrays.copyOfRange(in.array(), in.arrayOffset() + in.position(),
      in.arrayOffset() + in.limit()) : EMPTY;
    out.flip();
    if (out.hasRemaining()) {
      sink.text(out.toString());
    }
  }

  private static boolean isAscii(byte[] buf, int from, int len) {
    for (int k = from, end = from + len; k < end; k++) {
      if (buf[k] < 0) {
        return false;
      }
    }
    return true;
  }

  private boolean regionMatches(byte[] buf, int at, int len) {
    for (int k = 0; k < len; k++) {
      if (buf[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] buf, byte b, int from) {
    for (int k = from; k < buf.length; k++) {
      if (buf[k] == b) {
        return k;
      }
    }
    return -1;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
