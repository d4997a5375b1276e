package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.request.RuntimeCatalog;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputPart;
import io.execgate.store.StoredRecord;
import io.execgate.stream.ResultWaiter;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * A Piston-compatible surface ({@code /api/v2}), so that existing code-runner clients work
 * unchanged: {@code GET /api/v2/runtimes}, {@code POST /api/v2/execute} and {@code /api/v2/packages},
 * each also under the public Piston API's {@code /api/v2/piston/}, with Piston's request fields,
 * response shape and error shape ({@code {"message": ...}}, 400 for a bad request) on every path
 * under {@code /api/v2}, unknown ones included. An execution takes the same path as
 * {@code POST /v1/executions?wait=true}.
 */
final class PistonApi {

  private static final Logger log = LoggerFactory.getLogger(PistonApi.class);

  /** Where Piston's API lives, relative to where the gateway's router is mounted. */
  static final String PREFIX = "/api/v2";
  /** The public Piston API's paths, which some clients call: the same routes again. */
  static final String PUBLIC_PREFIX = PREFIX + "/piston";
  /** The largest body of a package request (a language and a version): beyond it 413, before it is read. */
  static final long MAX_PACKAGE_BODY_BYTES = 64 * 1024;
  private static final String NOT_JSON = "requests must be of type application/json";

  private final ExecutionRequestParser parser;
  private final PistonMapper mapper;
  private final ResultWaiter waiter;
  private final BodyDecoding decoding;
  private final ExecutionStore store;

  PistonApi(GatewayOptions options, ResultWaiter waiter, BodyDecoding decoding, ExecutionStore store) {
    this.parser = new ExecutionRequestParser(options);
    this.mapper = new PistonMapper(options, new RuntimeCatalog(options));
    this.waiter = waiter;
    this.decoding = decoding;
    this.store = store;
  }

  /**
   * A Piston request decoded, translated and validated.
   */
  private record Parsed(PistonMapper.Request request, ExecutionJob job) {
  }

  /**
   * Adds Piston's routes, at {@link #PREFIX} and {@link #PUBLIC_PREFIX}.
   *
   * @param body the body handler of execution requests
   */
  void mount(Router router, BodyHandler body) {
    BodyHandler small = BodyHandler.create(false).setBodyLimit(MAX_PACKAGE_BODY_BYTES);
    for (String base : List.of(PREFIX, PUBLIC_PREFIX)) {
      router.get(base + "/runtimes").handler(this::runtimes);
      router.post(base + "/execute").handler(body).handler(PistonApi::requireJson).handler(this::execute);
      router.get(base + "/packages").handler(this::packages);
      router.post(base + "/packages").handler(small).handler(PistonApi::requireJson).handler(this::install);
      router.delete(base + "/packages").handler(small).handler(PistonApi::requireJson).handler(this::uninstall);
    }
  }

  /**
   * Piston takes only JSON bodies. Its most-used Node client sends its JSON as {@code text/plain}
   * (node-fetch's type for a string body), so a request without {@code Origin} (no browser: no
   * cross-site forgery) is read as JSON whatever its type. A browser must say
   * {@code application/json}: a page elsewhere can send {@code text/plain} without a preflight,
   * {@code application/json} only after one, which CORS answers.
   */
  static void requireJson(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("content-type");
    boolean json = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    if (json || ctx.request().getHeader("origin") == null) {
      ctx.next();
    } else {
      ctx.fail(new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, NOT_JSON));
    }
  }

  /**
   * @return the protocol of {@code /api/v2/connect}, Piston's interactive socket
   */
  SocketDialect connectDialect() {
    return new PistonDialect(mapper);
  }

  void runtimes(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(mapper.runtimes().encode());
  }

  /**
   * {@code GET /api/v2/packages}: the configured runtimes, as installed packages.
   */
  void packages(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(mapper.packages().encode());
  }

  /**
   * {@code POST /api/v2/packages}: nothing is installed at run time here, the operator configures
   * the runtimes; a configured one is already installed, another one does not exist.
   */
  void install(RoutingContext ctx) {
    RuntimeSpec runtime = mapper.toPackage(ExecutionRequestParser.decode(ctx.body().buffer()));
    send(ctx.response(), 409, runtime.name() + "-" + runtime.version()
      + " is already installed (the operator configures the runtimes; none is installed through the API)");
  }

  /**
   * {@code DELETE /api/v2/packages}: the configured runtimes stay; another one does not exist.
   */
  void uninstall(RoutingContext ctx) {
    RuntimeSpec runtime = mapper.toPackage(ExecutionRequestParser.decode(ctx.body().buffer()));
    send(ctx.response(), 403, runtime.name() + "-" + runtime.version()
      + " cannot be uninstalled: the operator configures the runtimes; none is uninstalled through the API");
  }

  void execute(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    // a large body is decoded on a worker thread: megabytes of JSON would hold the event loop
    decoding.decode(body == null ? 0 : body.length(), () -> {
        PistonMapper.Request request = mapper.toSubmit(ExecutionRequestParser.decode(body));
        return new Parsed(request, parser.parse(request.submit(), false).job());
      })
      .onSuccess(parsed -> run(ctx, parsed.request(), parsed.job()))
      .onFailure(ctx::fail);
  }

  private void run(RoutingContext ctx, PistonMapper.Request request, ExecutionJob job) {
    // the order the streams arrived in, not their text: that is read from the record as it is sent
    Interleaving runOrder = new Interleaving();
    Interleaving compileOrder = new Interleaving();
    waiter.submitAndWait(job, AuthHandler.principal(ctx), ExecutionApi.gone(ctx.response()), frame -> {
        if (frame.type() == Frame.Type.STDOUT || frame.type() == Frame.Type.STDERR) {
          (Frame.COMPILE_STAGE.equals(frame.stage()) ? compileOrder : runOrder)
            .add(frame.type() == Frame.Type.STDERR, frame.data().length());
        }
      })
      .onSuccess(record -> {
        ExecutionResult result = record.result();
        if (result.status() == ExecutionStatus.ERROR) {
          // Piston answers a job that could not run with a 5xx and a message
          send(ctx.response(), 500, result.message() != null ? result.message() : "the execution failed");
        } else if (!ctx.response().ended() && !ctx.response().closed()) {
          respond(ctx, request, record, runOrder, compileOrder);
        }
      })
      .onFailure(ctx::fail);
  }

  /**
   * Piston's answer, its texts written from the record as the client takes them.
   */
  private void respond(RoutingContext ctx, PistonMapper.Request request, StoredRecord record, Interleaving runOrder,
                       Interleaving compileOrder) {
    StreamedJson body = new StreamedJson();
    String[] texts = new String[OutputPart.values().length];
    for (OutputPart part : OutputPart.values()) {
      texts[part.ordinal()] = record.has(part) ? body.slot(() -> store.text(record, part)) : "";
    }
    String runOutput = interleaved(body, record, runOrder, OutputPart.STDOUT, OutputPart.STDERR);
    String compileOutput = interleaved(body, record, compileOrder, OutputPart.COMPILE_STDOUT,
      OutputPart.COMPILE_STDERR);
    JsonObject json = mapper.response(record.result().withOutput(texts[0], texts[1], texts[2], texts[3]),
      request.runtime(), runOutput, compileOutput, true);
    if (record.result().retention().evicted()) {
      // Piston's shape has no field for it: the stage's message says why its output is empty
      JsonObject run = json.getJsonObject("run");
      if (run.getString("message") == null) {
        run.put("message", "the output was evicted from the record (executor.outputRetention)");
      }
    }
    body.send(ctx.response(), 200, json);
  }

  /**
   * @return the placeholder of a step's interleaved output when the order seen holds exactly the
   *   record's two texts, else {@code null} (Piston's {@code output} is then stdout then stderr)
   */
  private String interleaved(StreamedJson body, StoredRecord record, Interleaving order, OutputPart out,
                             OutputPart err) {
    if (!record.has(out) || !order.matches(record.chars(out), record.chars(err))) {
      return null;
    }
    return body.slot(() -> order.over(store.text(record, out), store.text(record, err)));
  }

  /**
   * @return whether the request is for a path under {@link #PREFIX}, where the router is mounted
   */
  static boolean isPiston(RoutingContext ctx) {
    // below the mount point; a path Vert.x cannot normalize (a malformed escape such as %ZZ) as it came
    String path = AuthHandler.relativePath(ctx);
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  /**
   * Failure handler of every route: a request under {@link #PREFIX} gets Piston's error shape,
   * another one goes on to the next failure handler.
   */
  void failureUnderPrefix(RoutingContext ctx) {
    if (isPiston(ctx)) {
      failure(ctx, ctx.statusCode());
    } else {
      ctx.next();
    }
  }

  /**
   * Failure handler of the {@code /api/v2} routes, and router error handler for {@code status}
   * under them: Piston's error shape, 400 for any problem with the request.
   */
  void failure(RoutingContext ctx, int status) {
    if (ctx.failure() instanceof HttpClosedException || ctx.response().closed()) {
      return;
    }
    GatewayException ge = ApiErrors.toGatewayException(ctx.failure(), ctx.statusCode() > 0 ? ctx.statusCode() : status);
    if (ge.code() == ErrorCode.INTERNAL) {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    }
    int answer = ge.code().httpStatus();
    if (answer == 403 || answer == 422) {
      answer = 400;
    }
    if (answer == 429 || answer == 503) {
      ctx.response().putHeader("retry-after", "1");
    }
    send(ctx.response(), answer, ge.getMessage());
  }

  private static void send(HttpServerResponse response, int status, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.end();
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json")
      .end(new JsonObject().put("message", message).encode());
  }
}
