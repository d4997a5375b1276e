package io.execgate.config;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The glob compiler both allow-lists share ({@link Glob}), and that each kind keeps its own separator
 * through it: {@code /} (and {@code :} in a registry) for images, {@code .} for webhook hosts.
 */
class GlobTest {

  private static boolean path(String glob, String text) {
    return Glob.compile(glob, "[^/]*", ".*", "[^/]").matcher(text).matches();
  }

  @Test
  void starStopsAtTheSeparatorDoubleStarDoesNot() {
    assertThat(path("lib/*", "lib/x")).isTrue();
    assertThat(path("lib/*", "lib/x/y")).isFalse();
    assertThat(path("lib/**", "lib/x/y")).isTrue();
    assertThat(path("**", "")).isTrue();
    assertThat(path("*", "")).isTrue();
  }

  @Test
  void questionMarkIsOneCharacterButTheSeparator() {
    assertThat(path("py?", "py3")).isTrue();
    assertThat(path("py?", "py")).isFalse();
    assertThat(path("py?", "py31")).isFalse();
    assertThat(path("a?b", "a/b")).isFalse();
  }

  @Test
  void everyOtherCharacterIsLiteral() {
    // regex metacharacters in a glob are only themselves
    assertThat(path("a.b", "a.b")).isTrue();
    assertThat(path("a.b", "axb")).isFalse();
    assertThat(path("a+b", "aab")).isFalse();
    assertThat(path("[x]", "[x]")).isTrue();
    assertThat(path("[x]", "x")).isFalse();
    assertThat(path("\\E.*", "\\E.*")).isTrue();
    assertThat(path("\\E.*", "\\Eanything")).isFalse();
  }

  @Test
  void aThirdStarAfterADoubleStarIsASingleOne() {
    // "***" reads as "**" then "*"
    Pattern p = Glob.compile("a***", "S", "D", "O");
    assertThat(p.pattern()).isEqualTo(Pattern.quote("a") + "DS");
  }

  @Test
  void bothKindsKeepTheirSeparators() {
    assertThat(ImageGlob.parse("library/*").matches("library/python:3", null)).isTrue();
    assertThat(ImageGlob.parse("library/*").matches("library/x/python:3", null)).isFalse();
    assertThat(ImageGlob.parse("library/**").matches("library/x/python:3", null)).isTrue();
    assertThat(ImageGlob.parse("*.corp.example/*").matches("evil.io/x.corp.example/pwn:1", null)).isFalse();
    assertThat(ImageGlob.parse("reg?.corp.example/app:1.*").matches("reg1.corp.example/app:1.2", null)).isTrue();
    assertThat(HostGlob.parse("*.example.com").matches("a.example.com", 443, 443)).isTrue();
    assertThat(HostGlob.parse("*.example.com").matches("a.b.example.com", 443, 443)).isFalse();
    assertThat(HostGlob.parse("**.example.com").matches("a.b.example.com", 443, 443)).isTrue();
    assertThat(HostGlob.parse("h?.example.com").matches("h1.example.com", 443, 443)).isTrue();
    assertThat(HostGlob.parse("h?.example.com").matches("h..example.com", 443, 443)).isFalse();
  }
}
