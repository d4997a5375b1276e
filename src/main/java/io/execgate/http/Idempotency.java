package io.execgate.http;

import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code Idempotency-Key} on submits: the first request with a key (per API key) claims it for the
 * execution it creates; a retry with the same key and the same body gets that execution back, one
 * with another body is a 409. Claims live in a shared map as long as execution records do, so any
 * gateway node answers the same.
 */
final class Idempotency {

  private static final int MAX_KEY_LENGTH = 255;

  private final Future<AsyncMap<String, JsonObject>> claims;
  private final long ttlMs;

  Idempotency(Vertx vertx, String addressPrefix, long ttlMs) {
    this.claims = vertx.sharedData().getAsyncMap(new Addresses(addressPrefix).idempotencyMap());
    this.ttlMs = ttlMs;
  }

  /**
   * @return {@code null} when this request claimed the key for {@code executionId}, else the id of the
   *   execution an earlier request with the same key and body created
   */
  Future<String> claim(Principal principal, String key, String fingerprint, String executionId) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return Future.failedFuture(GatewayException.invalid("Idempotency-Key",
        "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters"));
    }
    JsonObject claim = new JsonObject().put("id", executionId).put("body", fingerprint);
    return claims.compose(map -> map.putIfAbsent(mapKey(principal, key), claim, ttlMs)).compose(existing -> {
      if (existing == null) {
        return Future.succeededFuture(null);
      }
      if (!fingerprint.equals(existing.getString("body"))) {
        // never the other request's execution id: on an open gateway every client shares one principal
        return Future.failedFuture(new GatewayException(ErrorCode.IDEMPOTENCY_CONFLICT,
          "Idempotency-Key " + key + " was used for a different request", "Idempotency-Key"));
      }
      return Future.succeededFuture(existing.getString("id"));
    });
  }

  /**
   * Frees a key whose request did not create an execution (refused at admission), so a retry can.
   */
  void release(Principal principal, String key) {
    claims.compose(map -> map.remove(mapKey(principal, key)));
  }

  private static String mapKey(Principal principal, String key) {
    return principal.id() + "\u0000" + key;
  }

  /**
   * @return what identifies a request's body: its SHA-256 (a large body's costs milliseconds: compute it
   *   off the event loop)
   */
  static String fingerprint(Buffer body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0]
        : body.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
