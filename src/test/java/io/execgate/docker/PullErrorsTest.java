package io.execgate.docker;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's own messages (Docker 20.10, as seen against a local registry) classified.
 */
class PullErrorsTest {

  private static final String IMG = "127.0.0.1:5000/w4/img:1";
  private static final String REG = "127.0.0.1:5000";

  private static GatewayException classify(int status, String message) {
    GatewayException e = PullErrors.classify(IMG, REG, status, message);
    assertThat(e.getMessage()).contains(IMG).contains(REG).contains(message);
    return e;
  }

  @Test
  void aMissingManifestIsNotFound() {
    assertThat(classify(404, "manifest for 127.0.0.1:5000/w4/img:1 not found: manifest unknown: manifest unknown")
      .code()).isEqualTo(ErrorCode.IMAGE_NOT_FOUND);
    assertThat(classify(0, "pull access denied for w4/img, repository does not exist or may require 'docker login'")
      .code()).isEqualTo(ErrorCode.IMAGE_NOT_FOUND);
  }

  @Test
  void refusedCredentialsAreAuthFailures() {
    assertThat(classify(500, "Head \"http://127.0.0.1:5000/v2/w4/img/manifests/1\": no basic auth credentials").code())
      .isEqualTo(ErrorCode.REGISTRY_AUTH_FAILED);
    assertThat(classify(500, "unauthorized: authentication required").code()).isEqualTo(ErrorCode.REGISTRY_AUTH_FAILED);
    assertThat(classify(500, "denied: requested access to the resource is denied").code())
      .isEqualTo(ErrorCode.REGISTRY_AUTH_FAILED);
  }

  @Test
  void anUnreachableRegistryIsATransientPullFailure() {
    GatewayException refused = classify(500,
      "Get \"http://127.0.0.1:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused");
    assertThat(refused.code()).isEqualTo(ErrorCode.IMAGE_PULL_FAILED);
    assertThat(refused.getMessage()).contains("registry " + REG + " is unreachable");
    GatewayException stalled = classify(500,
      "Get \"http://127.0.0.1:5000/v2/\": net/http: request canceled (Client.Timeout exceeded while awaiting headers)");
    assertThat(stalled.code()).isEqualTo(ErrorCode.IMAGE_PULL_FAILED);
    assertThat(stalled.getMessage()).contains("is unreachable");
  }

  @Test
  void serverErrorsAreTransientPullFailures() {
    GatewayException e = classify(500, "received unexpected HTTP status: 503 Service Unavailable");
    assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_PULL_FAILED);
    assertThat(e.getMessage()).contains("registry " + REG + " failed");
  }

  @Test
  void aTimeoutNamesTheRegistryAndTheDeadline() {
    GatewayException e = PullErrors.timedOut(IMG, REG, 2_000);
    assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_PULL_FAILED);
    assertThat(e.getMessage()).contains(IMG).contains("registry " + REG).contains("2000 ms");
  }
}
