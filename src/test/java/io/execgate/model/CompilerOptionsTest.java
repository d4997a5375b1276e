package io.execgate.model;

import io.execgate.error.GatewayException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Compiler options: the words compilers take pass, anything a shell would read as code is refused
 * (not stripped), and the length is Judge0's.
 */
class CompilerOptionsTest {

  @Test
  void theOptionsCompilersTakeAreWords() {
    assertThat(CompilerOptions.parse("  -O2 -Wall\t-DVALUE=42 -std=c++17 -Wl,--as-needed -I/tmp/work/inc ", "f"))
      .containsExactly("-O2", "-Wall", "-DVALUE=42", "-std=c++17", "-Wl,--as-needed", "-I/tmp/work/inc");
    assertThat(CompilerOptions.parse(null, "f")).isEmpty();
    assertThat(CompilerOptions.parse(" \t ", "f")).isEmpty();
    assertThat(CompilerOptions.parse("x".repeat(512), "f")).hasSize(1);
  }

  @Test
  void anythingAShellReadsAsCodeIsRefusedNamingTheField() {
    for (String attack : List.of("-O2; rm -rf /", "$(id)", "-D`id`", "-O2\nrm -rf /", "-O2\rid", "-DX='a b'",
      "-DX=\"a\"", "a|b", "a&b", "a>b", "a<b", "-D*", "-D?", "~", "-D\\x", "-D{a,b}", "-D\u0000", "-D\u00e9",
      "a#b", "!1")) {
      assertThatThrownBy(() -> CompilerOptions.parse(attack, "compiler_options"))
        .as(attack)
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.field()).isEqualTo("compiler_options");
          assertThat(e.getMessage()).contains("only letters, digits");
        });
    }
  }

  @Test
  void aMegabyteOfOptionsIsRefusedBeforeItIsSplit() {
    String huge = "-O2 ".repeat(256 * 1024);
    long start = System.nanoTime();
    assertThatThrownBy(() -> CompilerOptions.parse(huge, "compiler_options"))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.getMessage()).contains("maximum is 512"));
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    assertThatThrownBy(() -> CompilerOptions.parse("x".repeat(513), "f")).isInstanceOf(GatewayException.class);
  }

  @Test
  void wordsFromAnotherNodeAreCheckedAgain() {
    CompilerOptions.check(List.of("-O2", "-DVALUE=42"), "compilerOptions");
    assertThatThrownBy(() -> CompilerOptions.check(List.of("-O2", "$(id)"), "compilerOptions"))
      .isInstanceOf(GatewayException.class);
    assertThatThrownBy(() -> CompilerOptions.check(List.of("a b"), "compilerOptions"))
      .isInstanceOf(GatewayException.class);
    assertThatThrownBy(() -> CompilerOptions.check(List.of(""), "compilerOptions"))
      .isInstanceOf(GatewayException.class);
    assertThatThrownBy(() -> CompilerOptions.check(java.util.Collections.nCopies(200, "-O2"), "compilerOptions"))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.getMessage()).contains("maximum is 512"));
  }
}
