package io.execgate.judge;

import io.execgate.model.CompareMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutputComparisonTest {

  @Test
  void exactComparesEveryCharacter() {
    assertThat(OutputComparison.matches(CompareMode.EXACT, "3\n", "3\n")).isTrue();
    assertThat(OutputComparison.matches(CompareMode.EXACT, "3", "3\n")).isFalse();
    assertThat(OutputComparison.matches(CompareMode.EXACT, "a b", "a  b")).isFalse();
  }

  @Test
  void trimIgnoresTrailingWhitespaceOfEachLineAndTrailingNewlinesOnly() {
    assertThat(OutputComparison.matches(CompareMode.TRIM, "x\ny", "x  \ny\t\n\n\n")).isTrue();
    assertThat(OutputComparison.matches(CompareMode.TRIM, "x\ny\n", "x\r\ny\r\n")).isTrue();
    assertThat(OutputComparison.matches(CompareMode.TRIM, "", "\n \n")).isTrue();
    // leading whitespace, inner blank lines and spaces inside a line count
    assertThat(OutputComparison.matches(CompareMode.TRIM, "x", " x")).isFalse();
    assertThat(OutputComparison.matches(CompareMode.TRIM, "x\ny", "x\n\ny")).isFalse();
    assertThat(OutputComparison.matches(CompareMode.TRIM, "a b", "a  b")).isFalse();
    assertThat(OutputComparison.matches(CompareMode.TRIM, "3", "30")).isFalse();
  }

  @Test
  void tokensCompareTheWhitespaceSeparatedWordsInOrder() {
    assertThat(OutputComparison.matches(CompareMode.TOKENS, "1 2 3", "1\n2\t\t3\n")).isTrue();
    assertThat(OutputComparison.matches(CompareMode.TOKENS, "  ", "")).isTrue();
    assertThat(OutputComparison.matches(CompareMode.TOKENS, "1 2 3", "1 2")).isFalse();
    assertThat(OutputComparison.matches(CompareMode.TOKENS, "1 2", "1 2 3")).isFalse();
    assertThat(OutputComparison.matches(CompareMode.TOKENS, "12", "1 2")).isFalse();
    assertThat(OutputComparison.matches(CompareMode.TOKENS, "é ü", "é\nü")).isTrue();
  }
}
