package io.execgate.docker;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;

import java.util.Locale;

/**
 * Turns what the engine says about a failed pull into the gateway's error model. The engine answers
 * 404 for a missing image or manifest, and 500 for everything else (a registry that refuses the
 * connection, stalls, fails or asks for credentials), so the message tells them apart:
 * <ul>
 *   <li>{@code image_not_found}: no such repository, tag or manifest; retrying cannot help;</li>
 *   <li>{@code registry_auth_failed}: the registry wants (other) credentials; retrying cannot help;</li>
 *   <li>{@code image_pull_failed}: anything else, such as an unreachable registry or a server error,
 *   which may pass.</li>
 * </ul>
 * Every message names the image, its registry and the engine's own words.
 */
final class PullErrors {

  private PullErrors() {
  }

  /**
   * @param image      the image being pulled
   * @param registry   its registry
   * @param httpStatus the engine's HTTP status, or 0 when the failure came inside the pull's stream
   * @param message    the engine's message
   */
  static GatewayException classify(String image, String registry, int httpStatus, String message) {
    String m = message.toLowerCase(Locale.ROOT);
    if (httpStatus == 404 || m.contains("manifest unknown") || m.contains("not found")
      || m.contains("does not exist") || m.contains("name unknown")) {
      return new GatewayException(ErrorCode.IMAGE_NOT_FOUND, "image " + image + " not found in registry " + registry
        + ": " + message);
    }
    if (m.contains("unauthorized") || m.contains("authentication required") || m.contains("no basic auth credentials")
      || m.contains("access denied") || m.contains("denied:") || m.contains("access to the resource is denied")
      || m.contains("incorrect username or password")) {
      return new GatewayException(ErrorCode.REGISTRY_AUTH_FAILED, "registry " + registry + " refused to serve "
        + image + " with the configured credentials (images.credentials): " + message);
    }
    String cause;
    if (m.contains("connection refused") || m.contains("no such host") || m.contains("i/o timeout")
      || m.contains("timeout") || m.contains("connection reset") || m.contains("network is unreachable")
      || m.contains("no route to host") || m.contains("eof")) {
      cause = "registry " + registry + " is unreachable";
    } else if (m.matches("(?s).*http status: 5\\d\\d.*") || m.contains("internal server error")
      || m.contains("service unavailable") || m.contains("bad gateway") || m.contains("gateway timeout")) {
      cause = "registry " + registry + " failed";
    } else {
      cause = "registry " + registry + " could not serve it";
    }
    return new GatewayException(ErrorCode.IMAGE_PULL_FAILED, "pulling " + image + ": " + cause + ": " + message);
  }

  static GatewayException timedOut(String image, String registry, long timeoutMs) {
    return new GatewayException(ErrorCode.IMAGE_PULL_FAILED, "pulling " + image + ": registry " + registry
      + " did not deliver it within the pull timeout of " + timeoutMs + " ms");
  }
}
