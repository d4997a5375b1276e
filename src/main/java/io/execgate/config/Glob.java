package io.execgate.config;

import java.util.regex.Pattern;

/**
 * The one glob compiler of the configuration's allow-lists ({@link ImageGlob}, {@link HostGlob}):
 * {@code **} (checked first), {@code *} and {@code ?} become the regular expressions the caller gives
 * for its separators, every other character stands for itself.
 */
final class Glob {

  private Glob() {
  }

  /**
   * @param glob       the glob, already checked for the characters its kind allows
   * @param star       what {@code *} matches, e.g. {@code [^/]*}: anything but the separator
   * @param doubleStar what {@code **} matches, e.g. {@code .*}
   * @param one        what {@code ?} matches, e.g. {@code [^/]}
   * @return the compiled pattern, to be matched against a whole text
   */
  static Pattern compile(String glob, String star, String doubleStar, String one) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        re.append(doubleStar);
        i++;
      } else if (c == '*') {
        re.append(star);
      } else if (c == '?') {
        re.append(one);
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
