package io.execgate.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers every response carries: the web page's Content-Security-Policy (scripts, styles and
 * connections from the gateway itself only; no inline script, no framing), a deny-everything policy
 * for the API's JSON, {@code X-Content-Type-Options: nosniff}, no framing, and no {@code Referer}
 * (a stream URL may carry a token).
 */
final class SecurityHeaders implements Handler<RoutingContext> {

  /**
   * The page: its own script and style files, fetch and WebSocket to its own origin, and the images
   * it makes itself from a run's out/ files (Blob URLs) and a cell's SVG outputs (data: URLs, which
   * never open as a document of the page's origin, unlike a Blob URL); nothing else.
   */
  static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  /**
   * The API's documentation (Swagger UI): its own files, and the inline styles and data: images
   * Swagger UI renders with; requests ("Try it out") to its own origin only.
   */
  static final String DOCS_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  /** Everything else is data, never a document. */
  static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

  @Override
  public void handle(RoutingContext ctx) {
    String path = AuthHandler.relativePath(ctx);
    boolean page = path.equals("/") || path.equals("/index.html") || path.startsWith("/assets/");
    HttpServerResponse response = ctx.response();
    boolean docs = path.equals("/docs") || path.startsWith("/docs/");
    response.putHeader("content-security-policy", page ? PAGE_POLICY : docs ? DOCS_POLICY : API_POLICY)
      .putHeader("x-content-type-options", "nosniff")
      .putHeader("x-frame-options", "DENY")
      .putHeader("referrer-policy", "no-referrer");
    ctx.next();
  }
}
