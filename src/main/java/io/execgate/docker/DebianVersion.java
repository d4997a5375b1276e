package io.execgate.docker;

/**
 * Debian's version ordering ({@code dpkg --compare-versions}): {@code [epoch:]upstream[-revision]},
 * each part compared as alternating runs of non-digits (letters before non-letters, {@code ~} before
 * everything, even the end) and numbers.
 */
final class DebianVersion {

  private DebianVersion() {
  }

  /**
   * @return a negative number, zero or a positive number as {@code a} is older than, equal to or newer than {@code b}
   */
  static int compare(String a, String b) {
    int ea = epoch(a);
    int eb = epoch(b);
    if (ea != eb) {
      return Integer.compare(ea, eb);
    }
    String ra = withoutEpoch(a);
    String rb = withoutEpoch(b);
    int da = ra.lastIndexOf('-');
    int db = rb.lastIndexOf('-');
    int c = part(da < 0 ? ra : ra.substring(0, da), db < 0 ? rb : rb.substring(0, db));
    if (c != 0) {
      return c;
    }
    return part(da < 0 ? "" : ra.substring(da + 1), db < 0 ? "" : rb.substring(db + 1));
  }

  private static int epoch(String v) {
    int colon = v.indexOf(':');
    if (colon <= 0) {
      return 0;
    }
    try {
      return Integer.parseInt(v.substring(0, colon));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String withoutEpoch(String v) {
    int colon = v.indexOf(':');
    return colon <= 0 ? v : v.substring(colon + 1);
  }

  private static int part(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      // the non-digit run
      while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
        int ca = i < a.length() && !Character.isDigit(a.charAt(i)) ? order(a.charAt(i)) : 0;
        int cb = j < b.length() && !Character.isDigit(b.charAt(j)) ? order(b.charAt(j)) : 0;
        if (ca != cb) {
          return Integer.compare(ca, cb);
        }
        if (i < a.length() && !Character.isDigit(a.charAt(i))) {
          i++;
        }
        if (j < b.length() && !Character.isDigit(b.charAt(j))) {
          j++;
        }
      }
      // the digit run
      long na = 0;
      long nb = 0;
      while (i < a.length() && Character.isDigit(a.charAt(i))) {
        na = Math.min(na * 10 + (a.charAt(i++) - '0'), Long.MAX_VALUE / 20);
      }
      while (j < b.length() && Character.isDigit(b.charAt(j))) {
        nb = Math.min(nb * 10 + (b.charAt(j++) - '0'), Long.MAX_VALUE / 20);
      }
      if (na != nb) {
        return Long.compare(na, nb);
      }
    }
    return 0;
  }

  /**
   * dpkg's weight of a character in a non-digit run: {@code ~} lowest, then the end of the run, then
   * letters, then everything else.
   */
  private static int order(char c) {
    if (c == '~') {
      return -1;
    }
    if (Character.isLetter(c)) {
      return c;
    }
    return c + 256;
  }
}
