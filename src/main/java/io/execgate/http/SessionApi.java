package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.SessionChannel;
import io.execgate.config.SessionOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.ExecutionJob;
import io.execgate.model.SessionCall;
import io.execgate.model.SessionCall.Action;
import io.execgate.session.PythonKernel;
import io.execgate.session.SessionBinding;
import io.execgate.session.SessionPaths;
import io.execgate.model.SessionSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The handlers of {@code /v1/sessions}: they validate, resolve a session's runtime and image as a
 * submit would (same parser, image policy and key scope), and talk to the node's session verticle
 * over the event bus. An execution in a session is an ordinary execution bound to the session's
 * sandbox: it is submitted, streamed and read like any other.
 */
final class SessionApi {

  private static final Set<String> CREATE_FIELDS = Set.of("language", "version", "image", "env", "limits",
    "idleTimeoutSeconds", "maxLifetimeSeconds", "stateful");
  private static final Set<String> SANDBOX_LIMITS = Set.of("memoryMb", "cpus", "pids");

  private final Vertx vertx;
  private final GatewayOptions options;
  private final SessionOptions config;
  private final SessionChannel channel;
  private final ExecutionRequestParser parser;
  private final ExecutionApi executions;

  SessionApi(Vertx vertx, GatewayOptions options, ExecutionApi executions) {
    this.vertx = vertx;
    this.options = options;
    this.config = options.getSessions();
    this.channel = new SessionChannel(vertx.eventBus(), new Addresses(options.getAddressPrefix()));
    this.parser = new ExecutionRequestParser(options);
    this.executions = executions;
  }

  /** Refuses every session route where sessions are not served. */
  void available(RoutingContext ctx) {
    GatewayException unavailable = unavailable();
    if (unavailable != null) {
      ctx.fail(unavailable);
    } else {
      ctx.next();
    }
  }

  /**
   * @return why sessions are not served here, or {@code null} when they are
   */
  GatewayException unavailable() {
    if (!config.isEnabled()) {
      return new GatewayException(ErrorCode.SESSIONS_UNAVAILABLE, "sessions are disabled (sessions.enabled)");
    }
    return null;
  }

  void create(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    JsonObject body = ExecutionRequestParser.decode(ctx.body().buffer());
    for (String key : body.fieldNames()) {
      if (!CREATE_FIELDS.contains(key)) {
        throw GatewayException.invalid(key, "unknown field " + key);
      }
    }
    Object statefulValue = body.getValue("stateful");
    if (statefulValue != null && !(statefulValue instanceof Boolean)) {
      throw GatewayException.invalid("stateful", "stateful must be a boolean");
    }
    boolean stateful = Boolean.TRUE.equals(statefulValue);
    long idle = seconds(body, "idleTimeoutSeconds", config.getIdleTimeoutSeconds(), config.getMaxIdleTimeoutSeconds());
    long lifetime = seconds(body, "maxLifetimeSeconds", config.getLifetimeSeconds(), config.getMaxLifetimeSeconds());
    // resolved exactly as a submit: runtime, version, image policy, env and limits
    JsonObject submit = new JsonObject().put("script", "true");
    for (String key : new String[]{"language", "version", "image", "env", "limits"}) {
      if (body.containsKey(key)) {
        submit.put(key, body.getValue(key));
      }
    }
    ExecutionJob job = parser.parse(submit, false).job();
    if (!principal.mayUseRuntime(job.runtime().name())) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "key '" + principal.id() + "' may not use runtime "
        + job.runtime().name(), "language");
    }
    if (!principal.mayUseImage(job.image())) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "key '" + principal.id() + "' may not use image " + job.image(),
        "image");
    }
    if (stateful) {
      PythonKernel.checkStateful(job.runtime());
    }
    SessionSpec spec = new SessionSpec(job.runtime(), job.image(), job.env(), job.limits(), idle, lifetime, stateful);
    call(new SessionCall(Action.CREATE, principal.id(), principal.admin(), null, spec, null, null, null, false))
      .onSuccess(json -> {
        JsonObject session = (JsonObject) json;
        String self = base(ctx) + "/v1/sessions/" + session.getString("id");
        session.put("links", links(self));
        ctx.response().setStatusCode(201).putHeader("location", self);
        ExecutionApi.respond(ctx, 201, session);
      })
      .onFailure(ctx::fail);
  }

  private static long seconds(JsonObject body, String field, long defaultValue, long max) {
    Object value = body.getValue(field);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw GatewayException.invalid(field, field + " must be a whole number of seconds");
    }
    long v = n.longValue();
    if (v < 1 || v > max) {
      throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, field + " is " + v + "; it must be between 1 and " + max,
        field);
    }
    return v;
  }

  void list(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    call(SessionCall.of(Action.LIST, p.id(), p.admin(), null))
      .onSuccess(json -> {
        JsonObject list = (JsonObject) json;
        list.getJsonArray("sessions").forEach(s -> ((JsonObject) s).put("links",
          links(base(ctx) + "/v1/sessions/" + ((JsonObject) s).getString("id"))));
        ExecutionApi.respond(ctx, 200, list);
      })
      .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    simple(ctx, Action.GET).onSuccess(json -> {
      JsonObject session = (JsonObject) json;
      session.put("links", links(base(ctx) + "/v1/sessions/" + session.getString("id")));
      ExecutionApi.respond(ctx, 200, session);
    }).onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    simple(ctx, Action.DELETE).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  /**
   * An execution in the session: the submit's body without language, version, image or sandbox limits
   * (the session's), plus {@code queue}.
   */
  void execute(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    String id = ctx.pathParam("id");
    Buffer raw = ctx.body().buffer();
    String waitParam = ctx.request().getParam("wait");
    acquire(p, id, raw == null ? 0 : raw.length(), () -> ExecutionRequestParser.decode(raw), false)
      .compose(bound -> {
        boolean wait = waitParam != null ? Boolean.parseBoolean(waitParam) : bound.submit().waitForResult();
        return executions.start(ctx, bound.job(), p, wait)
          // the session frees itself once the execution ran; this frees it when it never reached the sandbox
          .onFailure(err -> release(p, id, bound.job().id()));
      })
      .onFailure(ctx::fail);
  }

  /**
   * A session execution's parsed submit, and its job bound to the session's sandbox.
   */
  record Bound(ExecutionRequestParser.Submit submit, ExecutionJob job) {
  }

  /**
   * The one path of an execution into a session, for {@code POST /v1/sessions/{id}/executions} and a
   * WebSocket's {@code run} with a {@code session}: the caller's session is looked up (another key's
   * is {@code 404}), the body parsed in its runtime (off the event loop when large), and the sandbox
   * acquired for the execution ({@code 409 session_busy} unless {@code queue}). The caller submits the
   * bound job, and {@link #release}s the session if that submit fails.
   *
   * @param size        the body's size in bytes, which decides where it is decoded
   * @param body        decodes the body (the submit's fields, without language, version and image)
   * @param interactive whether the execution takes stdin and signals (a WebSocket's)
   */
  Future<Bound> acquire(Principal p, String id, int size, Supplier<JsonObject> body, boolean interactive) {
    return call(SessionCall.of(Action.GET, p.id(), p.admin(), id))
      .compose(json -> executions.decoding().decode(size, () -> prepare(body.get(), (JsonObject) json, interactive)))
      .compose(prepared -> {
        ExecutionJob job = prepared.submit().job();
        return call(new SessionCall(Action.ACQUIRE, p.id(), p.admin(), id, null, null, null, job.id(),
          prepared.queue()))
          .map(acquired -> new Bound(prepared.submit(), SessionBinding.bind(job, (JsonObject) acquired, id)));
      });
  }

  /**
   * Frees a session acquired for an execution that never reached its sandbox.
   */
  void release(Principal p, String id, String executionId) {
    call(new SessionCall(Action.RELEASE, p.id(), p.admin(), id, null, null, null, executionId, false));
  }

  private record Prepared(ExecutionRequestParser.Submit submit, boolean queue) {
  }

  /**
   * Parses an execution's body as a submit in the session's runtime (its entry file name, its run
   * command), refusing what the session decides.
   */
  private Prepared prepare(JsonObject body, JsonObject session, boolean interactive) {
    for (String key : new String[]{"language", "version", "image"}) {
      if (body.containsKey(key)) {
        throw GatewayException.invalid(key, key + " is the session's: an execution in a session runs in its sandbox");
      }
    }
    if (body.getValue("limits") instanceof JsonObject limits) {
      for (String key : SANDBOX_LIMITS) {
        if (limits.containsKey(key)) {
          throw GatewayException.invalid("limits." + key, "limits." + key + " is the session's sandbox's; an execution "
            + "sets only timeoutMs and outputBytes");
        }
      }
    }
    if (session.getBoolean("stateful", false)) {
      for (String key : new String[]{"tests", "args", "compilerOptions"}) {
        if (body.containsKey(key)) {
          throw GatewayException.invalid(key, key + " has no meaning for a cell of a stateful session");
        }
      }
    }
    Object queueValue = body.remove("queue");
    if (queueValue != null && !(queueValue instanceof Boolean)) {
      throw GatewayException.invalid("queue", "queue must be a boolean");
    }
    body.put("language", session.getString("language")).put("version", session.getString("version"));
    return new Prepared(parser.parse(body, interactive), Boolean.TRUE.equals(queueValue));
  }

  /** Restarts a stateful session's interpreter: {@code 204}; {@code 409} while it runs; {@code 400} when not stateful. */
  void restart(RoutingContext ctx) {
    simple(ctx, Action.RESTART).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  void listFiles(RoutingContext ctx) {
    simple(ctx, Action.LIST_FILES).onSuccess(json -> ExecutionApi.respond(ctx, 200, (JsonObject) json))
      .onFailure(ctx::fail);
  }

  void putFile(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    String path = filePath(ctx);
    Buffer body = ctx.body().buffer();
    byte[] data = body == null ? new byte[0] : body.getBytes();
    call(new SessionCall(Action.PUT_FILE, p.id(), p.admin(), ctx.pathParam("id"), null, path, data, null, false))
      .onSuccess(v -> ExecutionApi.respond(ctx, 201, new JsonObject().put("name", path).put("size", data.length)))
      .onFailure(ctx::fail);
  }

  void getFile(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    String path = filePath(ctx);
    call(new SessionCall(Action.GET_FILE, p.id(), p.admin(), ctx.pathParam("id"), null, path, null, null, false))
      .onSuccess(bytes -> ctx.response().putHeader("content-type", "application/octet-stream")
        .end((Buffer) bytes))
      .onFailure(ctx::fail);
  }

  void deleteFile(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    String path = filePath(ctx);
    call(new SessionCall(Action.DELETE_FILE, p.id(), p.admin(), ctx.pathParam("id"), null, path, null, null, false))
      .onSuccess(v -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail);
  }

  private Future<Object> simple(RoutingContext ctx, Action action) {
    Principal p = AuthHandler.principal(ctx);
    return call(SessionCall.of(action, p.id(), p.admin(), ctx.pathParam("id")));
  }

  private Future<Object> call(SessionCall call) {
    return channel.call(call)
      .recover(err -> Future.failedFuture(Replies.toGatewayException(err)));
  }

  /**
   * @return the file path from the raw request path (the router's normalized path has already
   *   resolved {@code ..}), percent-decoded and checked
   */
  static String filePath(RoutingContext ctx) {
    String raw = ctx.request().path();
    int at = raw.indexOf("/files/");
    String encoded = at < 0 ? "" : raw.substring(at + "/files/".length());
    return SessionPaths.check(percentDecode(encoded), "path");
  }

  static String percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw GatewayException.invalid("path", "path has a malformed percent-encoding");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String base(RoutingContext ctx) {
    String mount = ctx.mountPoint();
    return mount == null ? "" : mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount;
  }

  private static JsonObject links(String self) {
    return new JsonObject().put("self", self).put("executions", self + "/executions").put("files", self + "/files");
  }
}
