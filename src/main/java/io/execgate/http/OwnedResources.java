package io.execgate.http;

import io.execgate.auth.Principal;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one ownership check of the HTTP API, ahead of every route: a request whose path names a
 * resource that has an owner ({@code /v1/executions/{id}} and everything below it, whatever the
 * method) reaches its route only if the caller may see that resource; else it gets the same 404 as
 * an unknown id. The resource, as the check read it, is handed to the route
 * ({@link #resource(RoutingContext)}), so that the route acts on exactly what was checked. A kind of
 * resource added later (batches, sessions) registers its path and its finder here.
 */
final class OwnedResources implements Handler<RoutingContext> {

  private static final String RESOURCE = "execgate.owned";

  /** Reads a resource for a caller: fails with {@code not_found} when it is unknown or not the caller's. */
  @FunctionalInterface
  interface Finder {
    Future<?> find(String id, Principal principal);
  }

  private record Kind(Pattern path, Finder finder) {
  }

  private final List<Kind> kinds = new ArrayList<>();

  /**
   * @param prefix the path up to the id, e.g. {@code /v1/executions/}
   * @return a reference to this, so the API can be used fluently
   */
  OwnedResources add(String prefix, Finder finder) {
    kinds.add(new Kind(Pattern.compile(Pattern.quote(prefix) + "([^/]+)(?:/.*)?"), finder));
    return this;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path = AuthHandler.relativePath(ctx);
    for (Kind kind : kinds) {
      Matcher m = kind.path().matcher(path);
      if (m.matches()) {
        check(ctx, kind.finder(), m.group(1));
        return;
      }
    }
    ctx.next();
  }

  private static void check(RoutingContext ctx, Finder finder, String id) {
    // the read may be remote (a cluster): neither a body nor a WebSocket upgrade may be lost meanwhile
    boolean paused = !ctx.request().isEnded();
    if (paused) {
      ctx.request().pause();
    }
    finder.find(id, AuthHandler.principal(ctx)).onComplete(ar -> {
      if (paused) {
        ctx.request().resume();
      }
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.put(RESOURCE, ar.result());
      ctx.next();
    });
  }

  /**
   * @return the resource the check let through for this request; fails closed with {@code not_found}
   *   when the request's path escaped the check
   */
  static <T> T resource(RoutingContext ctx) {
    T resource = ctx.get(RESOURCE);
    if (resource == null) {
      throw new GatewayException(ErrorCode.NOT_FOUND, "no such resource");
    }
    return resource;
  }
}
