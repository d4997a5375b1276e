package io.execgate.mcp;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.client.ExecutionControl;
import io.execgate.error.GatewayException;
import io.execgate.request.RuntimeCatalog;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;

/**
 * The MCP server on the Streamable HTTP transport (MCP 2025-11-25, also speaking 2025-06-18,
 * 2025-03-26 and 2024-11-05 to clients that ask for them), one endpoint:
 * <ul>
 *   <li>{@code POST} carries one JSON-RPC message. A request is answered with
 *   {@code application/json}, or with a {@code text/event-stream} when the client accepts it and asks
 *   for progress ({@code params._meta.progressToken} of a tool call): the stream carries
 *   {@code notifications/progress} with the live output, then the response. A notification or a
 *   response from the client gets 202 with no body. Batches (removed from MCP in 2025-06-18) are
 *   refused with {@code -32600}; a body that is not JSON with {@code -32700}; both with 400.</li>
 *   <li>{@code initialize} opens an MCP session: its id comes back in {@code Mcp-Session-Id}, which
 *   every later request must carry (400 without it, 404 for an unknown, expired or ended one, or one
 *   another key opened). An {@code MCP-Protocol-Version} header the server does not speak is a 400.</li>
 *   <li>{@code DELETE} ends the session (204); its calls in flight are cancelled.</li>
 *   <li>{@code GET} is 405: the server has nothing to say unprompted, so it opens no stream.</li>
 * </ul>
 * {@code notifications/cancelled} for a tool call in flight cancels its execution (the container is
 * killed and removed) and the call gets no response, as the protocol asks. A client that goes away
 * is not a cancellation (the protocol says so too): its execution runs to its end, bounded by its
 * time limit. Everything runs on the event loop of the HTTP verticle that took the request.
 */
public final class McpServer {

  /** The newest protocol version first: offered to a client asking for one this server does not speak. */
  static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
  static final String SESSION_HEADER = "mcp-session-id";
  static final String VERSION_HEADER = "mcp-protocol-version";
  /** Live output sent in progress notifications per call; the rest is in the result only. */
  static final int MAX_PROGRESS_CHARS = 1 << 20;
  private static final String INSTRUCTIONS = "execgate runs code in single-use, locked-down containers (no network)."
    + " Call list_runtimes to see the languages, then run_code with a language and the code; each call starts"
    + " from a clean container.";

  private final McpSessions sessions;
  private final McpTools tools;
  private final String version;

  private McpServer(McpSessions sessions, McpTools tools) {
    this.sessions = sessions;
    this.tools = tools;
    String v = McpServer.class.getPackage().getImplementationVersion();
    this.version = v != null ? v : "dev";
  }

  /**
   * Creates the server of a gateway; its sessions are shared with the other HTTP verticle instances
   * of the same gateway (same address prefix) in this process.
   *
   * @param parser the HTTP API's reading of a submit body
   */
  public static McpServer create(Vertx vertx, GatewayOptions options, ExecutionStore store, SubmitParser parser) {
    Addresses addresses = new Addresses(options.getAddressPrefix());
    McpSessions sessions = (McpSessions) vertx.sharedData().getLocalMap(options.getAddressPrefix() + ".mcp")
      .computeIfAbsent("sessions", k -> new McpSessions(options.getMcp()));
    McpTools tools = new McpTools(vertx, new RuntimeCatalog(options), options.getDefaultRuntime(),
      new ResultWaiter(vertx, addresses, store), new ExecutionControl(vertx, addresses, store), store, parser);
    return new McpServer(sessions, tools);
  }

  /**
   * Handles a request to the endpoint, made by {@code principal} (authenticated and rate-limited
   * before, as every API request is).
   */
  public void handle(RoutingContext ctx, Principal principal) {
    switch (ctx.request().method().name()) {
      case "POST" -> post(ctx, principal);
      case "DELETE" -> delete(ctx, principal);
      default -> {
        ctx.response().putHeader("allow", "POST, DELETE");
        fail(ctx, 405, null, JsonRpc.BAD_REQUEST, "Method Not Allowed: this server opens no server-initiated stream;"
          + " POST JSON-RPC messages, DELETE to end the session");
      }
    }
  }

  private void delete(RoutingContext ctx, Principal principal) {
    McpSession session = session(ctx, principal);
    if (session != null) {
      sessions.close(session);
      ctx.response().setStatusCode(204).end();
    }
  }

  /**
   * @return the request's session, or {@code null} once the failure is answered
   */
  private McpSession session(RoutingContext ctx, Principal principal) {
    String id = ctx.request().getHeader(SESSION_HEADER);
    if (id == null || id.isBlank()) {
      fail(ctx, 400, null, JsonRpc.BAD_REQUEST, "Bad Request: the Mcp-Session-Id header is required (send initialize"
        + " first)");
      return null;
    }
    McpSession session = sessions.find(id, principal.id(), System.nanoTime());
    if (session == null) {
      fail(ctx, 404, null, JsonRpc.SESSION_NOT_FOUND, "Session not found: unknown, expired or ended; initialize again");
      return null;
    }
    String version = ctx.request().getHeader(VERSION_HEADER);
    if (version != null && !VERSIONS.contains(version)) {
      fail(ctx, 400, null, JsonRpc.BAD_REQUEST, "Bad Request: unsupported MCP-Protocol-Version " + version
        + "; supported: " + String.join(", ", VERSIONS));
      return null;
    }
    return session;
  }

  private void post(RoutingContext ctx, Principal principal) {
    HttpServerRequest request = ctx.request();
    Accepts accepts = Accepts.of(request.getHeader("accept"));
    if (!accepts.json && !accepts.sse) {
      fail(ctx, 406, null, JsonRpc.BAD_REQUEST, "Not Acceptable: the client must accept application/json and"
        + " text/event-stream");
      return;
    }
    String type = request.getHeader("content-type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      fail(ctx, 415, null, JsonRpc.BAD_REQUEST, "Unsupported Media Type: a JSON-RPC message is application/json");
      return;
    }
    Object decoded;
    try {
      decoded = JsonRpc.decode(ctx.body().buffer());
    } catch (JsonRpc.Failure f) {
      fail(ctx, 400, null, f.code, f.getMessage());
      return;
    }
    if (decoded instanceof JsonArray) {
      fail(ctx, 400, null, JsonRpc.INVALID_REQUEST, "Invalid Request: batches are not supported (MCP removed them in"
        + " 2025-06-18); send one message per request");
      return;
    }
    JsonObject message = (JsonObject) decoded;
    Object id = message.getValue("id");
    Object method = message.getValue("method");
    boolean isRequest = message.containsKey("id");
    if (!"2.0".equals(message.getValue("jsonrpc")) || (isRequest && !JsonRpc.validId(id))) {
      fail(ctx, 400, JsonRpc.validId(id) ? id : null, JsonRpc.INVALID_REQUEST,
        "Invalid Request: a JSON-RPC 2.0 message has \"jsonrpc\": \"2.0\" and a string or integer id");
      return;
    }
    if (method == null) {
      if (isRequest && (message.containsKey("result") || message.containsKey("error"))) {
        // a response to a request of ours: this server sends none, nothing waits for it
        ctx.response().setStatusCode(202).end();
      } else {
        fail(ctx, 400, isRequest ? id : null, JsonRpc.INVALID_REQUEST, "Invalid Request: no method");
      }
      return;
    }
    Object params = message.getValue("params");
    if (!(method instanceof String name) || (params != null && !(params instanceof JsonObject))) {
      fail(ctx, 400, isRequest ? id : null, JsonRpc.INVALID_REQUEST,
        "Invalid Request: method must be a string and params an object");
      return;
    }
    JsonObject p = params == null ? new JsonObject() : (JsonObject) params;
    if ("initialize".equals(name)) {
      if (!isRequest) {
        fail(ctx, 400, null, JsonRpc.INVALID_REQUEST, "Invalid Request: initialize is a request (it needs an id)");
        return;
      }
      initialize(ctx, principal, accepts, id, p);
      return;
    }
    McpSession session = session(ctx, principal);
    if (session == null) {
      return;
    }
    if (!isRequest) {
      if ("notifications/cancelled".equals(name) && JsonRpc.validId(p.getValue("requestId"))) {
        session.cancel(p.getValue("requestId"));
      }
      ctx.response().setStatusCode(202).end();
      return;
    }
    switch (name) {
      case "ping" -> new Reply(ctx, accepts.json ? null : accepts).send(JsonRpc.result(id, new JsonObject()));
      case "tools/list" -> new Reply(ctx, accepts.json ? null : accepts)
        .send(JsonRpc.result(id, new JsonObject().put("tools", tools.list())));
      case "tools/call" -> call(ctx, principal, session, accepts, id, p);
      default -> new Reply(ctx, accepts.json ? null : accepts)
        .send(JsonRpc.error(id, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + name));
    }
  }

  private void initialize(RoutingContext ctx, Principal principal, Accepts accepts, Object id, JsonObject params) {
    Object requested = params.getValue("protocolVersion");
    String version = requested instanceof String v && VERSIONS.contains(v) ? v : VERSIONS.get(0);
    McpSession session;
    try {
      session = sessions.create(principal.id(), version, System.nanoTime());
    } catch (GatewayException e) {
      ctx.response().putHeader("retry-after", "1");
      fail(ctx, e.code().httpStatus(), id, JsonRpc.BAD_REQUEST, e.code().id() + ": " + e.getMessage());
      return;
    }
    JsonObject result = new JsonObject()
      .put("protocolVersion", version)
      .put("capabilities", new JsonObject().put("tools", new JsonObject().put("listChanged", false)))
      .put("serverInfo", new JsonObject().put("name", "execgate").put("title", "execgate").put("version", this.version))
      .put("instructions", INSTRUCTIONS);
    ctx.response().putHeader(SESSION_HEADER, session.id());
    new Reply(ctx, accepts.json ? null : accepts).send(JsonRpc.result(id, result));
  }

  private void call(RoutingContext ctx, Principal principal, McpSession session, Accepts accepts, Object id,
                    JsonObject params) {
    Object name = params.getValue("name");
    Object arguments = params.getValue("arguments");
    if (!McpTools.LIST_RUNTIMES.equals(name) && !McpTools.RUN_CODE.equals(name)) {
      new Reply(ctx, accepts.json ? null : accepts).send(JsonRpc.error(id, JsonRpc.INVALID_PARAMS,
        "Unknown tool: " + name + "; tools: " + McpTools.LIST_RUNTIMES + ", " + McpTools.RUN_CODE));
      return;
    }
    if (arguments != null && !(arguments instanceof JsonObject)) {
      new Reply(ctx, accepts.json ? null : accepts).send(JsonRpc.error(id, JsonRpc.INVALID_PARAMS,
        "Invalid params: arguments must be an object"));
      return;
    }
    JsonObject meta = params.getValue("_meta") instanceof JsonObject m ? m : null;
    Object token = meta == null ? null : meta.getValue("progressToken");
    boolean progress = JsonRpc.validId(token) && accepts.sse;
    Reply reply = new Reply(ctx, progress || !accepts.json ? accepts : null);
    McpTools.Call call = new McpTools.Call(principal, progress ? reply.progress(token) : null, gone(ctx.response()));
    if (!session.start(id, () -> tools.cancel(call))) {
      reply.send(JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "Invalid Request: a call with id " + id
        + " is already in flight in this session"));
      return;
    }
    tools.call((String) name, (JsonObject) arguments, call).onComplete(ar -> {
      session.finish(id);
      if (call.cancelled) {
        // the client cancelled: it expects no response, the exchange just ends
        reply.endQuietly();
      } else if (ar.succeeded()) {
        reply.send(JsonRpc.result(id, ar.result()));
      } else {
        reply.send(JsonRpc.result(id, McpTools.toolError(ar.cause())));
      }
    });
  }

  private static Future<Void> gone(HttpServerResponse response) {
    Promise<Void> promise = Promise.promise();
    response.closeHandler(v -> promise.tryComplete());
    return promise.future();
  }

  /**
   * Answers with a JSON-RPC error and an HTTP status (transport-level failures).
   */
  private static void fail(RoutingContext ctx, int status, Object id, int code, String message) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json")
      .end(JsonRpc.error(id, code, message).encode());
  }

  /**
   * What the client's {@code Accept} allows.
   */
  record Accepts(boolean json, boolean sse) {

    static Accepts of(String header) {
      if (header == null || header.isBlank()) {
        return new Accepts(true, false);
      }
      boolean json = false;
      boolean sse = false;
      for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
        String type = part.split(";")[0].trim();
        json |= type.equals("application/json") || type.equals("application/*") || type.equals("*/*");
        sse |= type.equals("text/event-stream");
      }
      return new Accepts(json, sse);
    }
  }

  /**
   * One response: a JSON body, or an event stream (opened at the first progress notification).
   */
  private static final class Reply {

    private final RoutingContext ctx;
    private final boolean stream;
    private int progressCount;
    private long progressChars;

    /**
     * @param sse non-null to answer with an event stream
     */
    Reply(RoutingContext ctx, Accepts sse) {
      this.ctx = ctx;
      this.stream = sse != null;
    }

    McpTools.Output progress(Object token) {
      return (stderr, text) -> {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed() || progressChars >= MAX_PROGRESS_CHARS) {
          return;
        }
        // progress is advisory: a client that does not read loses notifications, never the result
        if (response.writeQueueFull()) {
          return;
        }
        String chunk = text.length() > MAX_PROGRESS_CHARS - progressChars
          ? text.substring(0, (int) (MAX_PROGRESS_CHARS - progressChars)) : text;
        progressChars += chunk.length();
        JsonObject params = new JsonObject().put("progressToken", token).put("progress", ++progressCount)
          .put("message", stderr ? "[stderr] " + chunk : chunk);
        event(JsonRpc.notification("notifications/progress", params));
      };
    }

    private void open() {
      HttpServerResponse response = ctx.response();
      if (!response.headWritten()) {
        response.setStatusCode(200).setChunked(true)
          .putHeader("content-type", "text/event-stream")
          .putHeader("cache-control", "no-cache");
      }
    }

    private void event(JsonObject message) {
      open();
      ctx.response().write("event: message\ndata: " + message.encode() + "\n\n");
    }

    void send(JsonObject message) {
      HttpServerResponse response = ctx.response();
      if (response.ended() || response.closed()) {
        return;
      }
      if (stream) {
        event(message);
        response.end();
      } else {
        response.setStatusCode(200).putHeader("content-type", "application/json").end(message.encode());
      }
    }

    void endQuietly() {
      HttpServerResponse response = ctx.response();
      if (response.ended() || response.closed()) {
        return;
      }
      if (!response.headWritten()) {
        response.setStatusCode(stream ? 200 : 202);
        if (stream) {
          open();
        }
      }
      response.end();
    }
  }
}
