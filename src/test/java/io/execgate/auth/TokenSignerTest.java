package io.execgate.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenSignerTest {

  private static final String HASH = ApiKey.hash("egt_token");

  @Test
  void anEntryVerifiesOnlyWithEveryFieldAsSignedAndTheSameSecret() {
    TokenSigner signer = new TokenSigner("a-secret-of-at-least-32-characters!!");
    String mac = signer.sign(HASH, "alice", null, 1_000L);
    assertThat(signer.verify(HASH, "alice", null, 1_000L, mac)).isTrue();
    assertThat(new TokenSigner("a-secret-of-at-least-32-characters!!").verify(HASH, "alice", null, 1_000L, mac))
      .as("another gateway with the same secret").isTrue();
    assertThat(signer.verify(HASH, "admin", null, 1_000L, mac)).as("another key").isFalse();
    assertThat(signer.verify(HASH, "alice", "e1", 1_000L, mac)).as("another scope").isFalse();
    assertThat(signer.verify(HASH, "alice", null, 9_999L, mac)).as("a later expiry").isFalse();
    assertThat(signer.verify(ApiKey.hash("egt_other"), "alice", null, 1_000L, mac)).as("another token").isFalse();
    assertThat(signer.verify(HASH, "alice", null, 1_000L, null)).isFalse();
    assertThat(signer.verify(HASH, "alice", null, 1_000L, "garbage")).isFalse();
    // a field cannot smuggle another one in
    assertThat(signer.verify(HASH, "alice\ne1", null, 1_000L, signer.sign(HASH, "alice", "e1", 1_000L))).isFalse();
    assertThat(TokenSigner.random().verify(HASH, "alice", null, 1_000L, mac)).as("another secret").isFalse();
    assertThat(new TokenSigner("b-secret-of-at-least-32-characters!!").verify(HASH, "alice", null, 1_000L, mac))
      .isFalse();
  }
}
