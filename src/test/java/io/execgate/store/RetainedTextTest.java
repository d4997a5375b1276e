package io.execgate.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One text of a record as it arrives: what is asked of the budget (exactly the bytes kept, nothing
 * for what is only counted), what is kept when the budget refuses (nothing of that text), and the
 * pieces the store writes as they are.
 */
class RetainedTextTest {

  private final List<Long> asked = new ArrayList<>();

  private boolean grant(long bytes) {
    asked.add(bytes);
    return true;
  }

  @Test
  void theBudgetIsAskedForExactlyTheBytesKeptAndNothingOnceTheTextIsFull() {
    RetainedText text = new RetainedText(8);
    assertThat(text.append("abc", this::grant)).isTrue();
    // é is 2 bytes: 3 + 2 + 3 = 8 fits exactly
    assertThat(text.append("é€", this::grant)).isTrue();
    assertThat(text.append("", this::grant)).isTrue();
    assertThat(text.append("more", this::grant)).isTrue();
    assertThat(text.append("and more", this::grant)).isTrue();
    assertThat(asked).containsExactly(3L, 5L);
    assertThat(text.text()).isEqualTo("abcé€");
    assertThat(text.keptBytes()).isEqualTo(8);
    assertThat(text.omittedBytes()).isEqualTo(12);
  }

  @Test
  void aTextCutInTheMiddleAsksOnlyForItsKeptPrefix() {
    RetainedText text = new RetainedText(5);
    assertThat(text.append("0123456789", this::grant)).isTrue();
    assertThat(asked).containsExactly(5L);
    assertThat(text.text()).isEqualTo("01234");
    assertThat(text.omittedBytes()).isEqualTo(5);
  }

  @Test
  void whenTheBudgetRefusesNothingOfThatTextIsKept() {
    RetainedText text = new RetainedText(1 << 20);
    assertThat(text.append("kept", this::grant)).isTrue();
    assertThat(text.append("refused", bytes -> false)).isFalse();
    assertThat(text.text()).isEqualTo("kept");
    assertThat(text.keptBytes()).isEqualTo(4);
    assertThat(text.omittedBytes()).isZero();
  }

  @Test
  void piecesAreOfTheStoresSizeAndAPairAtTheirBoundaryMovesWholeToTheNext() {
    RetainedText text = new RetainedText(Long.MAX_VALUE);
    int n = ExecutionStore.PIECE_CHARS;
    // a surrogate pair across the first boundary, then small appends across the second one
    text.append("a".repeat(n - 1) + "😀" + "b".repeat(10), this::grant);
    for (int i = 0; i < n; i++) {
      text.append("c", this::grant);
    }
    List<String> pieces = text.pieces();
    assertThat(pieces).hasSize(3);
    assertThat(pieces.get(0)).isEqualTo("a".repeat(n - 1));
    assertThat(pieces.get(1)).hasSize(n).startsWith("😀" + "b".repeat(10) + "c");
    assertThat(pieces.get(2)).isEqualTo("c".repeat(12));
    assertThat(text.text()).isEqualTo("a".repeat(n - 1) + "😀" + "b".repeat(10) + "c".repeat(n));
    // reading the pieces does not seal the tail: more text goes on in it
    text.append("d", this::grant);
    assertThat(text.pieces()).hasSize(3).last().isEqualTo("c".repeat(12) + "d");
  }

  @Test
  void prefixAndLengthCountUtf8AsTheEngineSentIt() {
    // a lone surrogate is the 3 bytes of U+FFFD
    assertThat(RetainedText.utf8Length("a\uD83Db", 0, 3)).isEqualTo(5);
    assertThat(RetainedText.utf8Length("x😀y", 1, 3)).isEqualTo(4);
    assertThat(RetainedText.prefix("😀😀", 7)).isEqualTo(2);
    assertThat(RetainedText.prefix("😀😀", 8)).isEqualTo(4);
    assertThat(RetainedText.prefix("abc", 0)).isZero();
    assertThat(RetainedText.prefix("é", 1)).isZero();
  }
}
