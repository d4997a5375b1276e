package io.execgate.store;


import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * One text of a record as it arrives: its first {@code maxBytes} (UTF-8) kept in pieces of about
 * {@link ExecutionStore#PIECE_CHARS} (the store's unit, so that nothing is copied to store them),
 * the rest only counted. Lives on the execution's context.
 */
final class RetainedText {

  private final long maxBytes;
  private final List<String> pieces = new ArrayList<>();
  private StringBuilder tail = new StringBuilder();
  private long keptBytes;
  private long omittedBytes;
  private boolean full;

  RetainedText(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Keeps what fits of {@code text}, once {@code reserve} granted its size.
   *
   * @return whether {@code reserve} granted it (when not, nothing was kept)
   */
  boolean append(String text, LongPredicate reserve) {
    long bytes = utf8Length(text, 0, text.length());
    if (full) {
      omittedBytes += bytes;
      return true;
    }
    String kept = text;
    long keptLength = bytes;
    if (keptBytes + bytes > maxBytes) {
      int cut = prefix(text, maxBytes - keptBytes);
      kept = text.substring(0, cut);
      keptLength = utf8Length(kept, 0, cut);
      omittedBytes += bytes - keptLength;
      // the record holds a prefix: once cut, nothing later is kept, or it would have a hole
      full = true;
    }
    if (keptLength == 0) {
      return true;
    }
    if (!reserve.test(keptLength)) {
      return false;
    }
    addPieces(kept);
    keptBytes += keptLength;
    return true;
  }

  long keptBytes() {
    return keptBytes;
  }

  /**
   * @return UTF-8 bytes that arrived past the bound
   */
  long omittedBytes() {
    return omittedBytes;
  }

  /**
   * @return the kept text in pieces of about {@link ExecutionStore#PIECE_CHARS}
   */
  List<String> pieces() {
    if (tail.length() == 0) {
      return List.copyOf(pieces);
    }
    List<String> all = new ArrayList<>(pieces);
    all.add(tail.toString());
    return all;
  }

  /**
   * @return the kept text, whole
   */
  String text() {
    return String.join("", pieces());
  }

  private void addPieces(String text) {
    int i = 0;
    while (i < text.length()) {
      int end = Math.min(text.length(), i + ExecutionStore.PIECE_CHARS - tail.length());
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      if (end <= i) {
        seal();
        continue;
      }
      tail.append(text, i, end);
      i = end;
      if (tail.length() >= ExecutionStore.PIECE_CHARS) {
        seal();
      }
    }
  }

  private void seal() {
    pieces.add(tail.toString());
    tail = new StringBuilder();
  }

  /**
   * @return how many characters of {@code text} fit in {@code room} UTF-8 bytes, without splitting
   *   a surrogate pair
   */
  static int prefix(String text, long room) {
    long used = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
        && Character.isLowSurrogate(text.charAt(i + 1));
      int width = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      if (used + width > room) {
        break;
      }
      used += width;
      i += pair ? 2 : 1;
    }
    return i;
  }

  /**
   * @return the length of {@code text[from, to)} in UTF-8 (a lone surrogate counts as the 3 bytes of U+FFFD)
   */
  static long utf8Length(CharSequence text, int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
