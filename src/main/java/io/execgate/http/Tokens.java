package io.execgate.http;

import io.execgate.auth.ApiKey;
import io.execgate.auth.AuthOptions;
import io.execgate.auth.Principal;
import io.execgate.auth.TokenSigner;
import io.execgate.bus.Addresses;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Browser tokens ({@code egt_…}): short-lived stand-ins for a key on the streaming routes, where a
 * browser cannot send a header. The shared map (cluster-wide in a cluster) holds, under the SHA-256
 * of each token, never the token itself: its key id, its scope (one execution, or every execution the
 * key may stream), its expiry and a MAC of all of them under the gateways' secret. A key holds at
 * most {@code auth.maxTokensPerKey} unexpired tokens, counted cluster-wide.
 */
final class Tokens {

  static final String PREFIX = "egt_";
  private static final Logger log = LoggerFactory.getLogger(Tokens.class);
  private static final Pattern FORMAT = Pattern.compile("egt_[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int RESERVE_ATTEMPTS = 16;

  /**
   * A minted token, or none when the key holds its maximum.
   *
   * @param token             the token, or {@code null} when none was minted
   * @param expiresAt         its expiry, epoch milliseconds
   * @param held              how many unexpired tokens the key holds
   * @param retryAfterSeconds when none was minted: when the key's oldest token expires
   */
  record Issued(String token, long expiresAt, int held, long retryAfterSeconds) {
  }

  private final AuthOptions options;
  private final TokenSigner signer;
  private final Map<String, ApiKey> byId;
  private final Future<AsyncMap<String, JsonObject>> tokens;
  private final Future<AsyncMap<String, JsonObject>> counts;

  Tokens(Vertx vertx, String addressPrefix, AuthOptions options, TokenSigner signer, Map<String, ApiKey> byId) {
    this.options = options;
    this.signer = signer;
    this.byId = byId;
    this.tokens = vertx.sharedData().getAsyncMap(new Addresses(addressPrefix).tokensMap());
    this.counts = vertx.sharedData().getAsyncMap(new Addresses(addressPrefix).tokenCountsMap());
  }

  /**
   * Mints a token for {@code keyId}, scoped to {@code execution} when not {@code null}.
   *
   * @return the token, or no token when the key holds its maximum
   */
  Future<Issued> mint(String keyId, String execution) {
    long now = System.currentTimeMillis();
    long expiresAt = now + options.getTokenTtlSeconds() * 1000;
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String hash = ApiKey.hash(token);
    JsonObject entry = new JsonObject().put("key", keyId).put("execution", execution).put("expiresAt", expiresAt)
      .put("mac", signer.sign(hash, keyId, execution, expiresAt));
    return counts.compose(map -> reserve(map, keyId, now, expiresAt, 0)).compose(reserved -> reserved.token() == null
      ? Future.succeededFuture(reserved)
      : tokens.compose(map -> map.put(hash, entry, options.getTokenTtlSeconds() * 1000))
        .map(v -> new Issued(token, expiresAt, reserved.held(), 0)));
  }

  /**
   * Counts one more unexpired token for the key: a compare-and-set of its list of expiries, so that
   * gateways minting at once each see the others.
   */
  private Future<Issued> reserve(AsyncMap<String, JsonObject> map, String keyId, long now, long expiresAt,
                                 int attempt) {
    return map.get(keyId).compose(current -> {
      JsonArray live = new JsonArray();
      long earliest = Long.MAX_VALUE;
      Object stored = current == null ? null : current.getValue("expiries");
      if (stored instanceof JsonArray array) {
        for (Object o : array) {
          if (o instanceof Number n && n.longValue() > now) {
            live.add(n.longValue());
            earliest = Math.min(earliest, n.longValue());
          }
        }
      }
      int held = live.size();
      if (held >= options.getMaxTokensPerKey()) {
        return Future.succeededFuture(new Issued(null, 0, held, Math.max(1, (earliest - now + 999) / 1000)));
      }
      JsonObject next = new JsonObject().put("expiries", live.add(expiresAt));
      Future<Boolean> swapped = current == null
        ? map.putIfAbsent(keyId, next).map(previous -> previous == null)
        : map.replaceIfPresent(keyId, current, next);
      return swapped.compose(done -> {
        if (done) {
          return Future.succeededFuture(new Issued("", expiresAt, held + 1, 0));
        }
        if (attempt + 1 < RESERVE_ATTEMPTS) {
          return reserve(map, keyId, System.currentTimeMillis(), expiresAt, attempt + 1);
        }
        return Future.failedFuture(new GatewayException(ErrorCode.CAPACITY_EXHAUSTED,
          "too many tokens are being minted for key '" + keyId + "' at once; retry"));
      });
    });
  }

  /**
   * @return the principal a token stands for (its key's, with the token's scope), or {@code null}
   *   when it is not a valid, unexpired token signed by a gateway
   */
  Future<Principal> verify(String token) {
    if (!FORMAT.matcher(token).matches()) {
      return Future.succeededFuture(null);
    }
    String hash = ApiKey.hash(token);
    return tokens.compose(map -> map.get(hash)).map(entry -> entry == null ? null : principal(hash, entry));
  }

  private Principal principal(String hash, JsonObject entry) {
    String keyId;
    String execution;
    long expiresAt;
    String mac;
    // whatever a cluster member wrote, it never throws here
    if (entry.getValue("key") instanceof String k && entry.getValue("expiresAt") instanceof Number e
      && entry.getValue("mac") instanceof String m
      && (entry.getValue("execution") == null || entry.getValue("execution") instanceof String)) {
      keyId = k;
      expiresAt = e.longValue();
      mac = m;
      execution = (String) entry.getValue("execution");
    } else {
      log.warn("a token entry of an unknown shape was found in the tokens map: not accepted");
      return null;
    }
    if (!signer.verify(hash, keyId, execution, expiresAt, mac)) {
      log.warn("a token entry for key '{}' does not carry the gateways' signature: not accepted (written by a"
        + " cluster member without auth.tokenSecret, or by a gateway with another secret)", keyId);
      return null;
    }
    ApiKey key = byId.get(keyId);
    if (expiresAt <= System.currentTimeMillis() || key == null) {
      return null;
    }
    return Principal.of(key).viaToken(execution);
  }
}
