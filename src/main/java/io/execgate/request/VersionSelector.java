package io.execgate.request;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version selector as Piston's clients send them, a subset of npm's semver ranges: an exact
 * version ({@code 3.11.2}), a partial one or an x-range ({@code 3}, {@code 3.x}, {@code 3.11.*}),
 * anything ({@code *}, {@code x} or blank), comparators ({@code >=3.10 <4}), caret and tilde
 * ({@code ^3.10}, {@code ~3.11.1}) and alternatives ({@code 3.10.x || 3.11.x}). Versions compare
 * numerically, component by component, missing components counting as 0. A version or selector
 * that is not made of numbers (e.g. {@code unknown}) only matches itself, and {@code *}.
 */
final class VersionSelector {

  private static final Pattern COMPARATOR = Pattern.compile("(>=|<=|>|<|=|\\^|~)?v?([0-9]{1,9}|[xX*])"
    + "(?:\\.([0-9]{1,9}|[xX*]))?(?:\\.([0-9]{1,9}|[xX*]))?");

  private final String text;
  /** Alternatives (||) of conjunctions (whitespace) of bounds; {@code null} when the text is no range. */
  private final List<List<Bound>> alternatives;

  private record Bound(String op, int[] version) {

    boolean test(int[] v) {
      int c = compare(v, version);
      return switch (op) {
        case ">=" -> c >= 0;
        case ">" -> c > 0;
        case "<" -> c < 0;
        case "<=" -> c <= 0;
        default -> c == 0;
      };
    }
  }

  private VersionSelector(String text, List<List<Bound>> alternatives) {
    this.text = text;
    this.alternatives = alternatives;
  }

  /**
   * @param text a selector; {@code null} or blank selects any version
   */
  static VersionSelector parse(String text) {
    String t = text == null ? "" : text.trim();
    List<List<Bound>> alternatives = new ArrayList<>();
    for (String alternative : t.split("\\|\\|", -1)) {
      List<Bound> bounds = new ArrayList<>();
      for (String part : alternative.trim().split("\\s+")) {
        if (!part.isEmpty() && !addBounds(part, bounds)) {
          return new VersionSelector(t, null);
        }
      }
      alternatives.add(bounds);
    }
    return new VersionSelector(t, alternatives);
  }

  private static boolean addBounds(String part, List<Bound> bounds) {
    Matcher m = COMPARATOR.matcher(part);
    if (!m.matches()) {
      return false;
    }
    String op = m.group(1) == null ? "=" : m.group(1);
    List<Integer> given = new ArrayList<>();
    for (int g = 2; g <= 4 && m.group(g) != null && Character.isDigit(m.group(g).charAt(0)); g++) {
      given.add(Integer.parseInt(m.group(g)));
    }
    for (int g = given.size() + 3; g <= 4; g++) {
      if (m.group(g) != null && Character.isDigit(m.group(g).charAt(0))) {
        return false; // a number after a wildcard, e.g. 3.x.1
      }
    }
    if (given.isEmpty()) {
      // *, x: any version, whatever the operator (< * selects nothing in npm; nobody means that)
      return true;
    }
    int[] low = new int[3];
    for (int i = 0; i < given.size(); i++) {
      low[i] = given.get(i);
    }
    int[] next = bump(low, given.size() - 1);
    switch (op) {
      case ">=" -> bounds.add(new Bound(">=", low));
      case "<" -> bounds.add(new Bound("<", low));
      case ">" -> bounds.add(given.size() == 3 ? new Bound(">", low) : new Bound(">=", next));
      case "<=" -> bounds.add(given.size() == 3 ? new Bound("<=", low) : new Bound("<", next));
      case "^" -> {
        int first = 0;
        while (first < given.size() - 1 && low[first] == 0) {
          first++;
        }
        bounds.add(new Bound(">=", low));
        bounds.add(new Bound("<", bump(low, first)));
      }
      case "~" -> {
        bounds.add(new Bound(">=", low));
        bounds.add(new Bound("<", bump(low, Math.min(1, given.size() - 1))));
      }
      default -> {
        if (given.size() == 3) {
          bounds.add(new Bound("=", low));
        } else {
          bounds.add(new Bound(">=", low));
          bounds.add(new Bound("<", next));
        }
      }
    }
    return true;
  }

  /**
   * @return {@code v} with component {@code i} plus one and the later ones zero
   */
  private static int[] bump(int[] v, int i) {
    int[] r = new int[3];
    System.arraycopy(v, 0, r, 0, i);
    r[i] = v[i] + 1;
    return r;
  }

  /**
   * @return the numeric components of {@code version}, or {@code null} when it is not numeric
   */
  static int[] numeric(String version) {
    if (version == null || !version.matches("v?[0-9]{1,9}(\\.[0-9]{1,9})*([-+].*)?")) {
      return null;
    }
    String core = version.replaceFirst("^v", "").replaceFirst("[-+].*$", "");
    String[] parts = core.split("\\.");
    int[] v = new int[Math.max(3, parts.length)];
    for (int i = 0; i < parts.length; i++) {
      v[i] = Integer.parseInt(parts[i]);
    }
    return v;
  }

  static int compare(int[] a, int[] b) {
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      int x = i < a.length ? a[i] : 0;
      int y = i < b.length ? b[i] : 0;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }

  /**
   * @return whether {@code version} satisfies this selector
   */
  boolean matches(String version) {
    if (text.equals(version)) {
      return true;
    }
    int[] v = numeric(version);
    if (alternatives == null) {
      return false;
    }
    for (List<Bound> bounds : alternatives) {
      if (bounds.isEmpty()) {
        return true;
      }
      if (v != null && bounds.stream().allMatch(b -> b.test(v))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return text;
  }
}
