package io.execgate.request;

import org.semver4j.Semver;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version selector as Piston's clients send them: an npm semver range, matched as npm's
 * {@code semver.satisfies} does (Piston selects its runtimes with it). Exact versions
 * ({@code 3.11.2}), partial ones and x-ranges ({@code 3}, {@code 3.x}, {@code 3.11.*}), comparators
 * with or without a space ({@code >=3.10 <4}, {@code >= 3.10}), caret and tilde ({@code ^3.10},
 * {@code ~3.11.1}), hyphen ranges ({@code 3.10 - 3.12}) and alternatives ({@code 3.10.x || 3.11.x});
 * a prerelease ({@code 3.13.0-rc.1}) is selected only by a range that names a prerelease of the same
 * major.minor.patch, and build metadata is ignored. {@code *} and {@code x} select any release and
 * any version that is no semver version; a blank selector (none given) selects any version. A selector that is no npm range (e.g. {@code 3.x.1}) selects only the version spelled
 * the same, and so does a configured version that is no semver version (e.g. {@code unknown}); one
 * with fewer than three numbers ({@code 3.11}) counts as {@code 3.11.0}.
 */
final class VersionSelector {

  private static final String NUMBER = "(?:0|[1-9][0-9]{0,8})";
  private static final String PART = "(?:[xX*]|" + NUMBER + ")";
  private static final String IDENTIFIERS = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
  /** A partial version of npm's grammar, its three parts in groups 1 to 3. */
  private static final String PARTIAL = "v?(" + PART + ")(?:\\.(" + PART + ")(?:\\.(" + PART + ")(?:-" + IDENTIFIERS
    + ")?(?:\\+" + IDENTIFIERS + ")?)?)?";
  private static final Pattern SIMPLE = Pattern.compile("(?:~>|~|\\^|>=|<=|>|<|=)?" + PARTIAL);
  private static final Pattern BARE = Pattern.compile(PARTIAL);
  private static final Pattern HYPHEN = Pattern.compile("(\\S+)\\s+-\\s+(\\S+)");
  private static final Pattern OPERATOR_SPACE = Pattern.compile("(~>|~|\\^|>=|<=|>|<|=)\\s+");
  private static final Pattern NUMERIC = Pattern.compile("v?" + NUMBER + "(?:\\.(?:" + NUMBER + ")){0,2}");

  private final String text;
  /** Whether the selector is blank: no version asked for. */
  private final boolean any;
  /** Whether the text is a range in npm's grammar. */
  private final boolean range;

  private VersionSelector(String text, boolean any, boolean range) {
    this.text = text;
    this.any = any;
    this.range = range;
  }

  /**
   * @param text a selector; {@code null} or blank selects any version
   */
  static VersionSelector parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.equalsIgnoreCase("x")) {
      t = "*";
    }
    return new VersionSelector(t, t.isEmpty(), !t.isEmpty() && isRange(t));
  }

  /**
   * @return whether {@code text} is a range of npm's grammar (which semver4j reads more loosely:
   *   it takes {@code 3.x.1} for {@code 3.x})
   */
  private static boolean isRange(String text) {
    for (String alternative : text.split("\\|\\|", -1)) {
      String a = alternative.trim();
      Matcher hyphen = HYPHEN.matcher(a);
      if (hyphen.matches()) {
        if (!partial(BARE, hyphen.group(1)) || !partial(BARE, hyphen.group(2))) {
          return false;
        }
        continue;
      }
      for (String simple : OPERATOR_SPACE.matcher(a).replaceAll("$1").split("\\s+")) {
        if (!simple.isEmpty() && !partial(SIMPLE, simple)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean partial(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    if (!m.matches()) {
      return false;
    }
    // a number after a wildcard (3.x.1) is no version npm knows
    boolean wildcard = false;
    for (int g = 1; g <= 3 && m.group(g) != null; g++) {
      boolean w = !Character.isDigit(m.group(g).charAt(0));
      if (wildcard && !w) {
        return false;
      }
      wildcard |= w;
    }
    return true;
  }

  /**
   * @return {@code version} as semver reads it, {@code 3.11} as {@code 3.11.0}; {@code null} for a
   *   version that is not one
   */
  static Semver semver(String version) {
    if (version == null) {
      return null;
    }
    Semver strict = Semver.parse(version.startsWith("v") ? version.substring(1) : version);
    if (strict != null || !NUMERIC.matcher(version).matches()) {
      return strict;
    }
    return Semver.coerce(version);
  }

  /**
   * @return whether {@code version} satisfies this selector
   */
  boolean matches(String version) {
    if (any || text.equals(version)) {
      return true;
    }
    Semver v = semver(version);
    if (v == null) {
      return text.equals("*");
    }
    return range && v.satisfies(text);
  }

  /**
   * @return whether version {@code a} is newer than {@code b}: by semver precedence (a prerelease
   *   before its release, build metadata ignored); a semver version is newer than one that is not
   */
  static boolean newer(String a, String b) {
    Semver x = semver(a);
    Semver y = semver(b);
    if (x == null || y == null) {
      return x != null;
    }
    return x.compareTo(y) > 0;
  }

  @Override
  public String toString() {
    return text;
  }
}
