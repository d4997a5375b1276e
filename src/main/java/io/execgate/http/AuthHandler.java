package io.execgate.http;

import io.execgate.auth.ApiKey;
import io.execgate.auth.AuthOptions;
import io.execgate.auth.FailedAuthThrottle;
import io.execgate.auth.Principal;
import io.execgate.auth.RateLimiter;
import io.execgate.auth.TokenSigner;
import io.execgate.bus.Addresses;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Authenticates every API request: {@code Authorization: Bearer <key>}, or a browser token
 * ({@code egt_…}, from {@code POST /v1/tokens}) as a bearer or as {@code ?token=}, on the streaming
 * routes only (a browser's WebSocket or EventSource cannot send a header). A key never goes in a
 * URL: URLs end up in logs and histories. Keys are compared by their SHA-256; tokens are checked by
 * {@link Tokens}. Failed authentications are throttled per source address, before any credential is
 * looked at; each key's request rate is applied. Without configured keys everyone is the anonymous
 * principal.
 */
final class AuthHandler implements Handler<RoutingContext> {

  static final String PRINCIPAL = "execgate.principal";
  /** The header Judge0's clients send their key in ({@code X-Auth-Token}), taken on the paths that ask for it. */
  static final String AUTH_TOKEN = "x-auth-token";
  /**
   * Paths that need no key: liveness, the API's description and documentation, and the web page's
   * static files (they hold no data).
   */
  private static final Set<String> OPEN = Set.of("/health", "/", "/index.html", "/openapi.json", "/docs");
  /** Readiness: open to a caller without credentials when {@link AuthOptions#isOpenReady()}. */
  private static final String READY = "/ready";
  /** Where a token is accepted: the routes a browser opens without headers. */
  private static final Pattern STREAMING = Pattern.compile("/v1/ws|/v1/executions/[^/]+/(stream|events)");

  private final AuthOptions options;
  private final Map<String, ApiKey> byHash = new HashMap<>();
  private final Map<String, ApiKey> byId = new HashMap<>();
  private final Tokens tokens;
  private final RateLimiter rates;
  private final FailedAuthThrottle failures;
  private Predicate<String> authTokenPaths = path -> false;

  AuthHandler(Vertx vertx, String addressPrefix, AuthOptions options) {
    this.options = options;
    for (ApiKey configured : options.getKeys()) {
      ApiKey key = configured.withDefaults(options.getKeyDefaults());
      byHash.put(key.sha256(), key);
      byId.put(key.id(), key);
    }
    // one of each per gateway, shared by its HTTP verticle instances (and by a router an application mounts)
    LocalMap<String, Shareable> shared = vertx.sharedData().getLocalMap(new Addresses(addressPrefix).authMap());
    TokenSigner signer = options.getTokenSecret() != null ? new TokenSigner(options.getTokenSecret())
      : (TokenSigner) shared.computeIfAbsent("tokenSigner", k -> TokenSigner.random());
    this.tokens = new Tokens(vertx, addressPrefix, options, signer, byId);
    this.failures = (FailedAuthThrottle) shared.computeIfAbsent("failedAuth",
      k -> new FailedAuthThrottle(options.getFailedAuthPerMinute(), options.getFailedAuthAddresses()));
    this.rates = vertx.sharedData().<String, RateLimiter>getLocalMap(new Addresses(addressPrefix).ratesMap())
      .computeIfAbsent("limiter", k -> new RateLimiter());
  }

  /**
   * @return the caller of a request this handler let through ({@link Principal#NOBODY} on an open route
   *   of a gateway with keys)
   */
  static Principal principal(RoutingContext ctx) {
    Principal p = ctx.get(PRINCIPAL);
    return p != null ? p : Principal.NOBODY;
  }

  /**
   * Takes the key from {@code X-Auth-Token} too (when there is no {@code Authorization}) on the paths
   * {@code paths} accepts: Judge0's clients send it there.
   *
   * @return a reference to this, so the API can be used fluently
   */
  AuthHandler acceptAuthToken(Predicate<String> paths) {
    this.authTokenPaths = paths;
    return this;
  }

  /**
   * @return the tokens of this gateway, for {@link TokenApi}
   */
  Tokens tokens() {
    return tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!options.isEnabled()) {
      ctx.put(PRINCIPAL, Principal.ANONYMOUS);
      ctx.next();
      return;
    }
    String path = relativePath(ctx);
    if (OPEN.contains(path) || path.startsWith("/assets/") || path.startsWith("/docs/")) {
      ctx.next();
      return;
    }
    if (READY.equals(path) && options.isOpenReady() && ctx.request().getHeader("authorization") == null) {
      // an orchestrator's probe: the status only (ExecutionApi#ready tells nobody more)
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("authorization");
    String authToken = ctx.request().getHeader(AUTH_TOKEN);
    String credential = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && !header.substring(7).isBlank()) {
      credential = header.substring(7).trim();
    } else if (authToken != null && !authToken.isBlank() && authTokenPaths.test(path)) {
      credential = authToken.trim();
    } else {
      String query = ctx.request().getParam("token");
      if (query != null && !query.isEmpty()) {
        if (!query.startsWith(Tokens.PREFIX)) {
          // a key in a URL: refused, and counted, as the leak it is
          fail(ctx, "?token= takes only a token from POST /v1/tokens (egt_…); an API key goes in the header"
            + " Authorization: Bearer <key>, never in a URL");
          return;
        }
        credential = query;
      }
    }
    if (credential == null) {
      unauthorized(ctx, "an API key is required: Authorization: Bearer <key>");
      return;
    }
    long retryAfter = failures.retryAfter(address(ctx), System.nanoTime());
    if (retryAfter > 0) {
      ctx.response().putHeader("retry-after", String.valueOf(retryAfter));
      ctx.fail(new GatewayException(ErrorCode.RATE_LIMITED, "too many failed authentications from this address;"
        + " retry in " + retryAfter + " s"));
      return;
    }
    boolean token = credential.startsWith(Tokens.PREFIX) && byHash.get(ApiKey.hash(credential)) == null;
    if (token && !STREAMING.matcher(path).matches()) {
      ctx.fail(new GatewayException(ErrorCode.FORBIDDEN, "a token (egt_…) is valid on the streaming routes only"
        + " (/v1/ws, /v1/executions/{id}/stream, /v1/executions/{id}/events); other routes, and minting tokens, need"
        + " the API key"));
      return;
    }
    ApiKey key = token ? null : byHash.get(ApiKey.hash(credential));
    // a token is looked up in a shared map (remote in a cluster): neither a body nor a WebSocket upgrade
    // may be lost meanwhile; resume() delivers what was held after the next handler took the request
    boolean paused = token && !ctx.request().isEnded();
    if (paused) {
      ctx.request().pause();
    }
    Future<Principal> who = token ? tokens.verify(credential)
      : Future.succeededFuture(key == null ? null : Principal.of(key));
    who.onComplete(ar -> {
      if (paused) {
        ctx.request().resume();
      }
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      if (ar.result() == null) {
        fail(ctx, "the API key or token is not valid (or the token expired)");
        return;
      }
      admit(ctx, ar.result(), path);
    });
  }

  private void admit(RoutingContext ctx, Principal principal, String path) {
    if (principal.execution() != null && path.equals("/v1/ws")) {
      ctx.fail(new GatewayException(ErrorCode.FORBIDDEN, "this token is scoped to execution " + principal.execution()
        + ": it may stream that execution only, not start one"));
      return;
    }
    long retryAfter = rates.acquire(principal.id(), principal.ratePerMinute(), System.nanoTime());
    if (retryAfter > 0) {
      ctx.response().putHeader("retry-after", String.valueOf(retryAfter));
      ctx.fail(new GatewayException(ErrorCode.RATE_LIMITED, "key '" + principal.id() + "' is limited to "
        + principal.ratePerMinute() + " requests per minute; retry in " + retryAfter + " s"));
      return;
    }
    ctx.put(PRINCIPAL, principal);
    ctx.next();
  }

  /**
   * @return the request's path below the router's mount point (an application may mount the API
   *   under a prefix of its own), e.g. {@code /health} for {@code /exec/health}
   */
  static String relativePath(RoutingContext ctx) {
    String path;
    try {
      path = ctx.normalizedPath();
    } catch (IllegalArgumentException malformed) {
      // e.g. an invalid percent-escape: the route that matches it answers 400; meanwhile the raw path
      path = ctx.request().path();
    }
    String mount = ctx.mountPoint();
    if (mount != null && path.startsWith(mount)) {
      path = path.substring(mount.endsWith("/") ? mount.length() - 1 : mount.length());
    }
    return path.isEmpty() ? "/" : path;
  }

  /**
   * A credential was presented and is not valid: a 401, counted against the source address.
   */
  private void fail(RoutingContext ctx, String message) {
    failures.failed(address(ctx), System.nanoTime());
    unauthorized(ctx, message);
  }

  private static String address(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null || remote.hostAddress() == null ? "" : remote.hostAddress();
  }

  private static void unauthorized(RoutingContext ctx, String message) {
    ctx.response().putHeader("www-authenticate", "Bearer realm=\"execgate\"");
    ctx.fail(new GatewayException(ErrorCode.UNAUTHORIZED, message));
  }

  /**
   * Guards an operational route: only an admin key (or anyone on a gateway without keys) passes.
   */
  static void requireAdmin(RoutingContext ctx) {
    Principal principal = principal(ctx);
    if (!principal.admin()) {
      ctx.fail(new GatewayException(ErrorCode.FORBIDDEN, ctx.request().method() + " " + relativePath(ctx)
        + " is an operational route: it needs an admin key (auth.keys[].admin), and key '" + principal.id()
        + "' is not one"));
      return;
    }
    ctx.next();
  }
}
