package io.execgate.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SessionRecordsTest {

  @Test
  void sessionInfoAndFileRoundTrip() {
    SessionInfo info = new SessionInfo("s01", "ready", "python", "3.11", "execgate/python:1",
      Instant.parse("2026-11-30T01:00:00Z"), Instant.parse("2026-11-30T01:05:00Z"), 300, 3600, true);
    assertThat(SessionInfo.fromJson(info.toJson())).isEqualTo(info);
    SessionFile file = new SessionFile("out/a.png", 12, Instant.parse("2026-11-30T01:00:01Z"), "file");
    assertThat(SessionFile.fromJson(file.toJson())).isEqualTo(file);
  }

  @Test
  void aSessionRequestTakesTheDefaultsItIsNotGiven() {
    SessionRequest request = SessionRequest.language("sh").withEnv(Map.of("K", "v")).withIdleTimeoutSeconds(60);
    assertThat(request.limits()).isEqualTo(RequestLimits.defaults());
    assertThat(request.idleTimeoutSeconds()).isEqualTo(60L);
    assertThat(request.lifetimeSeconds()).isNull();
    assertThat(request.env()).containsEntry("K", "v");
    assertThat(request.stateful()).isFalse();
    assertThat(request.withStateful(true).withIdleTimeoutSeconds(30).stateful()).isTrue();
  }
}
