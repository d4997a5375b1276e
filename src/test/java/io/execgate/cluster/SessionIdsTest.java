package io.execgate.cluster;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionIdsTest {

  @Test
  void anIdNamesTheWorkerThatMadeIt() {
    String node = UUID.randomUUID().toString();
    String id = "s0123456789abcdef01234567" + SessionIds.suffix(node);
    assertThat(id).matches("s[0-9a-f]{24}-[0-9a-f]{32}");
    assertThat(SessionIds.node(id)).isEqualTo(node);
  }

  @Test
  void anIdThatNamesNoWorkerHasNoNode() {
    assertThat(SessionIds.node(null)).isNull();
    // a single node's id
    assertThat(SessionIds.node("s0123456789abcdef01234567")).isNull();
    assertThat(SessionIds.node("s0123456789abcdef01234567-nothex")).isNull();
    assertThat(SessionIds.node("s0123456789abcdef01234567-" + "A".repeat(32))).isNull();
    assertThat(SessionIds.node("s0123456789abcdef01234567-" + "0".repeat(32) + "0")).isNull();
    assertThat(SessionIds.node("../s0123456789abcdef01234567-" + "0".repeat(32))).isNull();
  }

  @Test
  void onlyAUuidNamesANode() {
    assertThatThrownBy(() -> SessionIds.suffix("node-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SessionIds.suffix(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSessionsMapIsKeyedByADigestThatGivesNoIdAway() {
    String id = "s0123456789abcdef01234567-" + "0".repeat(32);
    assertThat(SessionRouter.digest(id)).matches("[0-9a-f]{64}").doesNotContain("0123456789abcdef01234567")
      .isEqualTo(SessionRouter.digest(id)).isNotEqualTo(SessionRouter.digest(id + "x"));
  }
}
