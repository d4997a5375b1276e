package io.execgate.model;

import io.execgate.error.GatewayException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Options a request adds to its runtime's compile command (Judge0's {@code compiler_options}): words
 * of a strict alphabet, each given to the compiler as one quoted shell word, so that none reaches the
 * shell as code. The alphabet ({@code A-Z a-z 0-9 _ . + = , : / @ % -}) holds what compilers take
 * ({@code -O2}, {@code -DVALUE=42}, {@code -std=c++17}, {@code -Wl,--as-needed}); quotes, {@code $},
 * backquotes, {@code ;}, redirections, globs and control characters are refused, not stripped. What an
 * option makes the compiler do stays inside the job's sandbox.
 */
public final class CompilerOptions {

  /** Judge0's bound on {@code compiler_options}. */
  public static final int MAX_CHARS = 512;
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.+=,:/@%-]{1,512}");
  private static final Pattern SPACES = Pattern.compile("[ \\t]+");

  private CompilerOptions() {
  }

  /**
   * @param line  the options as one line, words separated by spaces or tabs
   * @param field the request field it came in, named by a refusal
   * @return its words, empty for {@code null} or a blank line
   * @throws GatewayException naming {@code field} for a line over {@link #MAX_CHARS} or a word outside
   *   the alphabet
   */
  public static List<String> parse(String line, String field) {
    if (line == null || line.isBlank()) {
      return List.of();
    }
    if (line.length() > MAX_CHARS) {
      throw GatewayException.invalid(field, "is too long (maximum is " + MAX_CHARS + " characters)");
    }
    List<String> words = List.of(SPACES.split(line.strip()));
    check(words, field);
    return words;
  }

  /**
   * Checks words already split (a job from another node): the same rules as {@link #parse}.
   *
   * @throws GatewayException naming {@code field}
   */
  public static void check(List<String> words, String field) {
    int chars = 0;
    for (String word : words) {
      if (word == null || !WORD.matcher(word).matches()) {
        throw GatewayException.invalid(field, "may contain only letters, digits and _.+=,:/@%- in words"
          + " separated by spaces");
      }
      chars += word.length() + 1;
    }
    if (chars > MAX_CHARS + 1) {
      throw GatewayException.invalid(field, "is too long (maximum is " + MAX_CHARS + " characters)");
    }
  }
}
