package io.execgate.judge;

import io.execgate.model.CompareMode;

/**
 * Compares a test's stdout with its expected stdout, by a {@link CompareMode}.
 */
public final class OutputComparison {

  private OutputComparison() {
  }

  /**
   * @return whether {@code actual} matches {@code expected} under {@code mode}
   */
  public static boolean matches(CompareMode mode, String expected, String actual) {
    return switch (mode) {
      case EXACT -> expected.equals(actual);
      case TRIM -> trim(expected).equals(trim(actual));
      case TOKENS -> tokensEqual(expected, actual);
    };
  }

  /**
   * @return {@code text} without the trailing whitespace of each line nor trailing line breaks
   *   ({@code \r\n} and {@code \n} end lines alike)
   */
  static String trim(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    int start = 0;
    while (start <= text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      int e = end;
      while (e > start && isSpace(text.charAt(e - 1))) {
        e--;
      }
      sb.append(text, start, e);
      if (nl < 0) {
        break;
      }
      sb.append('\n');
      start = nl + 1;
    }
    int len = sb.length();
    while (len > 0 && sb.charAt(len - 1) == '\n') {
      len--;
    }
    sb.setLength(len);
    return sb.toString();
  }

  private static boolean tokensEqual(String expected, String actual) {
    int i = 0;
    int j = 0;
    while (true) {
      i = skipSpace(expected, i);
      j = skipSpace(actual, j);
      boolean endE = i >= expected.length();
      boolean endA = j >= actual.length();
      if (endE || endA) {
        return endE && endA;
      }
      int ei = tokenEnd(expected, i);
      int ej = tokenEnd(actual, j);
      if (ei - i != ej - j || !expected.regionMatches(i, actual, j, ei - i)) {
        return false;
      }
      i = ei;
      j = ej;
    }
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int tokenEnd(String s, int i) {
    while (i < s.length() && !isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0x0b;
  }
}
