package io.execgate.session;

import io.execgate.error.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionPathsTest {

  @Test
  void plainRelativePathsPass() {
    assertThat(SessionPaths.check("a.txt", "path")).isEqualTo("a.txt");
    assertThat(SessionPaths.check("out/plot 1.png", "path")).isEqualTo("out/plot 1.png");
    assertThat(SessionPaths.check("..hidden/x..y", "path")).isEqualTo("..hidden/x..y");
    assertThat(SessionPaths.check("-rf", "path")).isEqualTo("-rf");
  }

  @Test
  void escapesAndOddPathsAreRefusedNamingTheField() {
    for (String bad : new String[]{"", "/etc/passwd", "..", "../x", "a/../../x", "a/..", "a//b", "./a", "a/./b",
      "a/", "a\nb", "a\u0000b", "a\\..\\b", "x".repeat(SessionPaths.MAX_LENGTH + 1), "a/" + "n".repeat(256)}) {
      assertThatThrownBy(() -> SessionPaths.check(bad, "path")).as(bad)
        .isInstanceOf(GatewayException.class)
        .satisfies(e -> assertThat(((GatewayException) e).field()).isEqualTo("path"));
    }
    assertThatThrownBy(() -> SessionPaths.check(null, "path")).isInstanceOf(GatewayException.class);
  }
}
