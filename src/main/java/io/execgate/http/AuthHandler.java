package io.execgate.http;

import io.execgate.auth.ApiKey;
import io.execgate.auth.AuthOptions;
import io.execgate.auth.Principal;
import io.execgate.auth.RateLimiter;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.RoutingContext;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Authenticates every API request: {@code Authorization: Bearer <key or token>}, or
 * {@code ?token=} where a header cannot be set (a browser's WebSocket or EventSource). Keys are
 * compared by their SHA-256; tokens (from {@code POST /v1/tokens}) live in a shared map with a time
 * to live, so that any gateway node accepts them. Also applies each key's request rate. Without
 * configured keys everyone is the anonymous principal.
 */
final class AuthHandler implements Handler<RoutingContext> {

  static final String PRINCIPAL = "execgate.principal";
  /** Paths that need no key: liveness, the API's description and the web page's static files (they hold no data). */
  private static final Set<String> OPEN = Set.of("/health", "/", "/index.html", "/openapi.json");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AuthOptions options;
  private final Map<String, ApiKey> byHash = new HashMap<>();
  private final Map<String, ApiKey> byId = new HashMap<>();
  private final Future<AsyncMap<String, JsonObject>> tokens;
  private final RateLimiter rates;

  AuthHandler(Vertx vertx, String addressPrefix, AuthOptions options) {
    this.options = options;
    for (ApiKey configured : options.getKeys()) {
      ApiKey key = configured.withDefaults(options.getKeyDefaults());
      byHash.put(key.sha256(), key);
      byId.put(key.id(), key);
    }
    this.tokens = vertx.sharedData().getAsyncMap(addressPrefix + ".tokens");
    this.rates = vertx.sharedData().<String, RateLimiter>getLocalMap(addressPrefix + ".rates")
      .computeIfAbsent("limiter", k -> new RateLimiter());
  }

  /**
   * @return the caller of a request this handler let through
   */
  static Principal principal(RoutingContext ctx) {
    Principal p = ctx.get(PRINCIPAL);
    return p != null ? p : Principal.ANONYMOUS;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!options.isEnabled()) {
      ctx.put(PRINCIPAL, Principal.ANONYMOUS);
      ctx.next();
      return;
    }
    String path = relativePath(ctx);
    if (OPEN.contains(path) || path.startsWith("/assets/")) {
      ctx.next();
      return;
    }
    String credential = credential(ctx);
    if (credential == null) {
      unauthorized(ctx, "an API key is required: Authorization: Bearer <key>");
      return;
    }
    ApiKey key = byHash.get(ApiKey.hash(credential));
    // a token is looked up in a shared map (remote in a cluster): neither a body nor a WebSocket upgrade
    // may be lost meanwhile; resume() delivers what was held after the next handler took the request
    boolean paused = key == null && !ctx.request().isEnded();
    if (paused) {
      ctx.request().pause();
    }
    Future<Principal> who = key != null ? Future.succeededFuture(Principal.of(key)) : fromToken(credential);
    who.onComplete(ar -> {
      if (paused) {
        ctx.request().resume();
      }
      if (ar.failed() || ar.result() == null) {
        unauthorized(ctx, "the API key or token is not valid (or the token expired)");
        return;
      }
      Principal principal = ar.result();
      long retryAfter = rates.acquire(principal.id(), principal.ratePerMinute(), System.nanoTime());
      if (retryAfter > 0) {
        ctx.response().putHeader("retry-after", String.valueOf(retryAfter));
        ctx.fail(new GatewayException(ErrorCode.RATE_LIMITED, "key '" + principal.id() + "' is limited to "
          + principal.ratePerMinute() + " requests per minute; retry in " + retryAfter + " s"));
        return;
      }
      ctx.put(PRINCIPAL, principal);
      ctx.next();
    });
  }

  /**
   * @return the request's path below the router's mount point (an application may mount the API
   *   under a prefix of its own), e.g. {@code /health} for {@code /exec/health}
   */
  static String relativePath(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String mount = ctx.mountPoint();
    if (mount != null && path.startsWith(mount)) {
      path = path.substring(mount.endsWith("/") ? mount.length() - 1 : mount.length());
    }
    return path.isEmpty() ? "/" : path;
  }

  private static String credential(RoutingContext ctx) {
    String header = ctx.request().getHeader("authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String value = header.substring(7).trim();
      return value.isEmpty() ? null : value;
    }
    String token = ctx.request().getParam("token");
    return token == null || token.isEmpty() ? null : token;
  }

  private Future<Principal> fromToken(String token) {
    if (!token.startsWith("egt_")) {
      return Future.succeededFuture(null);
    }
    return tokens.compose(map -> map.get(token)).map(json -> {
      ApiKey key = json == null ? null : byId.get(json.getString("key"));
      return key == null ? null : Principal.of(key);
    });
  }

  private static void unauthorized(RoutingContext ctx, String message) {
    ctx.response().putHeader("www-authenticate", "Bearer realm=\"execgate\"");
    ctx.fail(new GatewayException(ErrorCode.UNAUTHORIZED, message));
  }

  /**
   * {@code POST /v1/tokens}: a short-lived token standing for the caller's key, for browsers.
   */
  void issueToken(RoutingContext ctx) {
    Principal principal = principal(ctx);
    if (!options.isEnabled()) {
      ExecutionApi.respond(ctx, 200, new JsonObject().put("token", "").put("expiresInSeconds", 0)
        .put("message", "no API keys are configured: no token is needed"));
      return;
    }
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token = "egt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    long ttlMs = options.getTokenTtlSeconds() * 1000;
    tokens.compose(map -> map.put(token, new JsonObject().put("key", principal.id()), ttlMs))
      .onSuccess(v -> ExecutionApi.respond(ctx, 201, new JsonObject().put("token", token)
        .put("expiresInSeconds", options.getTokenTtlSeconds())))
      .onFailure(ctx::fail);
  }
}
