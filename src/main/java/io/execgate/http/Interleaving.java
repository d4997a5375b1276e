package io.execgate.http;

import io.execgate.store.TextSource;
import io.vertx.core.Future;

import java.util.Arrays;

/**
 * The order in which a step's stdout and stderr arrived, as runs of characters (not the text: that
 * is read from the record when the answer is written), for Piston's {@code output}. Bounded: past
 * {@link #MAX_RUNS} alternations it gives up, and {@code output} is stdout then stderr.
 */
final class Interleaving {

  static final int MAX_RUNS = 16 * 1024;

  /** Run lengths in characters: positive for stdout, negative for stderr. */
  private int[] runs = new int[16];
  private int count;
  private long stdoutChars;
  private long stderrChars;
  private boolean overflow;

  void add(boolean stderr, int chars) {
    if (chars == 0 || overflow) {
      return;
    }
    if (stderr) {
      stderrChars += chars;
    } else {
      stdoutChars += chars;
    }
    int last = count == 0 ? 0 : runs[count - 1];
    if (count > 0 && (last < 0) == stderr && (long) Math.abs(last) + chars <= Integer.MAX_VALUE) {
      runs[count - 1] = stderr ? last - chars : last + chars;
      return;
    }
    if (count == MAX_RUNS) {
      overflow = true;
      runs = null;
      return;
    }
    if (count == runs.length) {
      runs = Arrays.copyOf(runs, Math.min(MAX_RUNS, runs.length * 2));
    }
    runs[count++] = stderr ? -chars : chars;
  }

  /**
   * @return whether the runs describe exactly texts of these lengths (nothing missed, nothing omitted)
   */
  boolean matches(long stdoutLength, long stderrLength) {
    return !overflow && stdoutChars == stdoutLength && stderrChars == stderrLength;
  }

  /**
   * @return the two texts merged in the order they arrived
   */
  TextSource over(TextSource stdout, TextSource stderr) {
    Cursor out = new Cursor(stdout);
    Cursor err = new Cursor(stderr);
    int[] state = {0, count == 0 ? 0 : Math.abs(runs[0])};
    return () -> {
      while (state[0] < count && state[1] == 0) {
        state[0]++;
        state[1] = state[0] < count ? Math.abs(runs[state[0]]) : 0;
      }
      if (state[0] >= count) {
        return Future.succeededFuture(null);
      }
      return (runs[state[0]] < 0 ? err : out).take(state[1]).map(piece -> {
        if (piece == null) {
          // the record holds less than the runs say: stop here rather than loop
          state[0] = count;
          return null;
        }
        state[1] -= piece.length();
        return piece;
      });
    };
  }

  /** Takes characters from a text source, across its pieces. */
  private static final class Cursor {

    private final TextSource source;
    private String piece = "";
    private int offset;

    Cursor(TextSource source) {
      this.source = source;
    }

    /**
     * @return at most {@code n} characters (fewer at the end of a piece), or {@code null} at the end
     */
    Future<String> take(int n) {
      if (offset < piece.length()) {
        int end = Math.min(piece.length(), offset + n);
        String out = piece.substring(offset, end);
        offset = end;
        return Future.succeededFuture(out);
      }
      return source.next().compose(next -> {
        if (next == null) {
          return Future.succeededFuture(null);
        }
        piece = next;
        offset = 0;
        return take(n);
      });
    }
  }
}
