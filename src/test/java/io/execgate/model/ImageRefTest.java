package io.execgate.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageRefTest {

  @Test
  void parsesTheCommonForms() {
    assertThat(ImageRef.parse("alpine")).isEqualTo(new ImageRef(null, "alpine", null, null));
    assertThat(ImageRef.parse("alpine").pullTag()).isEqualTo("latest");
    assertThat(ImageRef.parse("execgate/busybox:1.35")).isEqualTo(new ImageRef(null, "execgate/busybox", "1.35", null));
    assertThat(ImageRef.parse("localhost:5000/a/b:2")).isEqualTo(new ImageRef("localhost:5000", "a/b", "2", null));
    ImageRef pinned = ImageRef.parse("reg.example/x@sha256:" + "a".repeat(64));
    assertThat(pinned.registry()).isEqualTo("reg.example");
    assertThat(pinned.pullTag()).isEqualTo("sha256:" + "a".repeat(64));
    assertThat(pinned.toString()).isEqualTo("reg.example/x@sha256:" + "a".repeat(64));
  }

  @Test
  void prefixesOnlyUnqualifiedNames() {
    assertThat(ImageRef.parse("my-executor:1.0").withDefaultRegistry("registry.example:5000").toString())
      .isEqualTo("registry.example:5000/my-executor:1.0");
    assertThat(ImageRef.parse("other.example/my-executor:1.0").withDefaultRegistry("registry.example:5000").toString())
      .isEqualTo("other.example/my-executor:1.0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "UPPER", "a b", "a:", "a@sha256:xyz", "-a", "a/../b", "a:bad tag"})
  void refusesInvalidReferences(String ref) {
    assertThatThrownBy(() -> ImageRef.parse(ref)).isInstanceOf(IllegalArgumentException.class);
  }
}
