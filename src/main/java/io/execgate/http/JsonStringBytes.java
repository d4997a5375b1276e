package io.execgate.http;

import io.vertx.core.buffer.Buffer;

/**
 * A run of a Java string as the UTF-8 bytes of a JSON string's contents (no quotes), byte for byte
 * as Jackson's {@code JsonStringEncoder.quoteAsUTF8} escapes it: {@code \"}, {@code \\}, the short
 * escapes {@code \b \t \n \f \r}, and <code>&#92;u00XX</code> (upper-case hex) for the other control
 * characters. It writes into one buffer of the exact size, counted first: a streamed answer of
 * control bytes is six times its text, and Jackson's builder allocated that about four times over
 * (segments, their coalescing, then the buffer), which was half of what the gateway allocated under
 * MemoryAttackIT's floods. A lone surrogate, which decoded output never holds, is written as U+FFFD.
 */
final class JsonStringBytes {

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int SCRATCH = 4096;

  private JsonStringBytes() {
  }

  /**
   * @return the escaped UTF-8 bytes of {@code text}'s characters {@code from} (inclusive) to
   *   {@code to} (exclusive)
   */
  static Buffer escape(String text, int from, int to) {
    Buffer out = Buffer.buffer((int) Math.min(Integer.MAX_VALUE - 8, length(text, from, to)));
    byte[] scratch = new byte[SCRATCH];
    int n = 0;
    for (int i = from; i < to; i++) {
      if (n > SCRATCH - 6) {
        out.appendBytes(scratch, 0, n);
        n = 0;
      }
      char c = text.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          scratch[n++] = (byte) c;
        } else {
          scratch[n++] = '\\';
          switch (c) {
            case '"' -> scratch[n++] = '"';
            case '\\' -> scratch[n++] = '\\';
            case '\b' -> scratch[n++] = 'b';
            case '\t' -> scratch[n++] = 't';
            case '\n' -> scratch[n++] = 'n';
            case '\f' -> scratch[n++] = 'f';
            case '\r' -> scratch[n++] = 'r';
            default -> {
              scratch[n++] = 'u';
              scratch[n++] = '0';
              scratch[n++] = '0';
              scratch[n++] = HEX[c >> 4];
              scratch[n++] = HEX[c & 0xF];
            }
          }
        }
      } else if (c < 0x800) {
        scratch[n++] = (byte) (0xC0 | (c >> 6));
        scratch[n++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, text.charAt(++i));
        scratch[n++] = (byte) (0xF0 | (cp >> 18));
        scratch[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        scratch[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        scratch[n++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        char bmp = Character.isSurrogate(c) ? '\uFFFD' : c;
        scratch[n++] = (byte) (0xE0 | (bmp >> 12));
        scratch[n++] = (byte) (0x80 | ((bmp >> 6) & 0x3F));
        scratch[n++] = (byte) (0x80 | (bmp & 0x3F));
      }
    }
    return out.appendBytes(scratch, 0, n);
  }

  /**
   * @return how many bytes {@link #escape} writes for the same characters
   */
  static long length(String text, int from, int to) {
    long bytes = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += c >= 0x20 && c != '"' && c != '\\' ? 1
          : c == '"' || c == '\\' || c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r' ? 2 : 6;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
