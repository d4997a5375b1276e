package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.RuntimeSpec;
import io.execgate.request.RequestResolver;
import io.execgate.request.RuntimeCatalog;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * A Judge0-compatible surface (Judge0 CE 1.13's submission API) under {@code /judge0}, and at the root
 * when {@code judge0.rootPaths} is on: a submission is an execution (its token is the execution's id,
 * and only the key that made it may read it), with Judge0's fields, statuses and error shapes
 * ({@code 422 {"field": ["message"]}}, else {@code {"error": "..."}}). Judge0 clients send their key
 * as {@code X-Auth-Token}, which is taken here as {@code Authorization: Bearer} is.
 */
final class Judge0Api {

  static final String PREFIX = "/judge0";
  private static final List<String> ROOTS = List.of("/submissions", "/languages", "/statuses");

  private final GatewayOptions options;
  private final ResultWaiter waiter;
  private final BodyDecoding decoding;
  private final ExecutionStore store;
  private final RequestResolver resolver;
  private final Judge0Languages languages;
  private final Judge0Request requests;
  private final Callbacks callbacks;
  private final Judge0Submissions submitted;

  Judge0Api(Vertx vertx, GatewayOptions options, ExecutionApi api, ExecutionStore store) {
    this.options = options;
    this.waiter = api.waiter();
    this.decoding = api.decoding();
    this.callbacks = api.callbacks();
    this.store = store;
    this.resolver = new RequestResolver(options);
    this.languages = new Judge0Languages(new RuntimeCatalog(options).all());
    this.requests = new Judge0Request(languages, options.getExecutor().getMaxLimits(),
      options.getHttp().getMaxScriptBytes());
    this.submitted = new Judge0Submissions(vertx, new Addresses(options.getAddressPrefix()), api.executions(), store,
      options.getExecutor().getRecordTtlSeconds() * 1000);
  }

  /**
   * Adds the routes under {@link #PREFIX}, and at the root when configured.
   */
  void mount(Router router, BodyHandler body) {
    List<String> bases = options.getJudge0().isRootPaths() ? List.of(PREFIX, "") : List.of(PREFIX);
    for (String base : bases) {
      router.get(base + "/statuses").handler(ctx -> Judge0Errors.send(ctx, 200, Judge0Status.all()));
      router.get(base + "/languages").handler(ctx -> Judge0Errors.send(ctx, 200, languages.list()));
      router.get(base + "/languages/:id").handler(this::language);
      // before /submissions/:token, which would take "batch" for a token
      router.post(base + "/submissions/batch").handler(body).handler(PistonApi::requireJson).handler(this::createBatch);
      router.get(base + "/submissions/batch").handler(this::getBatch);
      router.post(base + "/submissions").handler(body).handler(PistonApi::requireJson).handler(this::create);
      router.get(base + "/submissions/:token").handler(this::get);
    }
  }

  /**
   * @return whether a request is for the Judge0 API (where {@code X-Auth-Token} is a key and errors
   *   take Judge0's shape)
   */
  static boolean isJudge0(String path, boolean rootPaths) {
    if (path.equals(PREFIX) || path.startsWith(PREFIX + "/")) {
      return true;
    }
    return rootPaths && ROOTS.stream().anyMatch(r -> path.equals(r) || path.startsWith(r + "/"));
  }

  boolean isJudge0(RoutingContext ctx) {
    return isJudge0(AuthHandler.relativePath(ctx), options.getJudge0().isRootPaths());
  }

  /**
   * Failure handler of every route: a Judge0 request gets Judge0's error shape, another goes on.
   */
  void failureUnderPrefix(RoutingContext ctx) {
    if (isJudge0(ctx)) {
      Judge0Errors.failure(ctx, ctx.statusCode());
    } else {
      ctx.next();
    }
  }

  /**
   * Router error handler for {@code status} on a Judge0 request.
   */
  void failure(RoutingContext ctx, int status) {
    Judge0Errors.failure(ctx, status);
  }

  private void language(RoutingContext ctx) {
    JsonObject language = null;
    try {
      language = languages.describe(Integer.parseInt(ctx.pathParam("id")));
    } catch (NumberFormatException e) {
      // not an id: not found
    }
    if (language == null) {
      Judge0Errors.sendError(ctx, 404, "language with id " + ctx.pathParam("id") + " doesn't exist");
    } else {
      Judge0Errors.send(ctx, 200, language);
    }
  }

  /**
   * @param callbackUrl the submission's {@code callback_url}, checked against the allow-list, or {@code null}
   */
  private record Prepared(ExecutionJob job, Judge0Submission submission, String callbackUrl) {
  }

  private Prepared prepare(JsonObject item, boolean base64, Principal principal) {
    Judge0Request.Parsed parsed = requests.parse(item, base64,
      url -> callbacks.check(url, principal, Judge0Request.CALLBACK_FIELD));
    ExecutionJob job = resolver.resolve(parsed.request(), false).withCompilerOptions(parsed.compilerOptions());
    return new Prepared(job, parsed.submission(), parsed.callbackUrl());
  }

  /**
   * Admits a prepared submission, its callback (a PUT once final, as Judge0's) registered first.
   */
  private <T> Future<T> admit(Prepared p, Principal principal, Supplier<Future<T>> admission) {
    return callbacks.around(p.callbackUrl(), false, true, p.job().id(), principal, admission);
  }

  private void create(RoutingContext ctx) {
    boolean base64 = "true".equals(ctx.request().getParam("base64_encoded"));
    boolean wait = "true".equals(ctx.request().getParam("wait"));
    Judge0Output.Fields fields = fields(ctx);
    if (fields == null) {
      return;
    }
    Buffer body = ctx.body().buffer();
    Principal principal = AuthHandler.principal(ctx);
    decoding.decode(body == null ? 0 : body.length(),
        () -> prepare(ExecutionRequestParser.decode(body), base64, principal))
      .compose(p -> remember(p).map(p))
      .compose(p -> wait
        // a client that waits follows the execution once admitted: going away does not take its callback back
        ? (p.callbackUrl() == null
          ? waiter.submitAndWait(p.job(), principal, ExecutionApi.gone(ctx.response()), null)
          : admit(p, principal, () -> waiter.admit(p.job(), principal))
            .compose(a -> waiter.follow(p.job().id(), ExecutionApi.gone(ctx.response()))))
          .compose(store::full)
          .map(result -> render(ctx, result, p.submission(), base64, fields, true))
        : admit(p, principal, () -> waiter.admit(p.job(), principal))
          .map(a -> new JsonObject().put("token", p.job().id())))
      .onSuccess(json -> Judge0Errors.send(ctx, 201, json))
      .onFailure(ctx::fail);
  }

  /**
   * @return the rendered submission; on text that is not UTF-8 without Base64, Judge0's error (with the
   *   token when the submission was made)
   */
  private JsonObject render(RoutingContext ctx, ExecutionResult result, Judge0Submission submission, boolean base64,
                            Judge0Output.Fields fields, boolean created) {
    Integer languageId = submission != null ? Integer.valueOf(submission.languageId())
      : languages.idOf(result.language(), null);
    RuntimeSpec runtime = languageId == null ? null : languages.find(languageId);
    String name = runtime == null ? result.language() : Judge0Languages.name(runtime);
    try {
      return Judge0Output.render(result, submission, languageId, name, base64, fields.names());
    } catch (Judge0Output.NotUtf8 e) {
      if (created) {
        return new JsonObject().put("token", result.id()).put("error", Judge0Output.NOT_UTF8);
      }
      throw new GatewayException(ErrorCode.INVALID_REQUEST, Judge0Output.NOT_UTF8);
    }
  }

  private void get(RoutingContext ctx) {
    boolean base64 = "true".equals(ctx.request().getParam("base64_encoded"));
    Judge0Output.Fields fields = fields(ctx);
    if (fields == null) {
      return;
    }
    submitted.read(ctx.pathParam("token"), AuthHandler.principal(ctx))
      .map(found -> {
        try {
          return render(ctx, found.result(), found.submission(), base64, fields, false);
        } finally {
          submitted.release(found);
        }
      })
      .onSuccess(json -> Judge0Errors.send(ctx, 200, json))
      .onFailure(ctx::fail);
  }

  private void getBatch(RoutingContext ctx) {
    boolean base64 = "true".equals(ctx.request().getParam("base64_encoded"));
    Judge0Output.Fields fields = fields(ctx);
    if (fields == null) {
      return;
    }
    String param = ctx.request().getHeader("tokens") != null ? ctx.request().getHeader("tokens")
      : ctx.request().getParam("tokens");
    String trimmed = param == null ? "" : param.strip();
    List<String> tokens = trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split(","));
    if (!batchSize(ctx, tokens.size())) {
      return;
    }
    Principal principal = AuthHandler.principal(ctx);
    List<Future<Judge0Submissions.Found>> reads = new ArrayList<>();
    for (String token : tokens) {
      // an unknown token, or another key's, is null, as Judge0 answers an unknown one
      reads.add(submitted.read(token, principal).recover(err -> err instanceof GatewayException ge
        && ge.code() == ErrorCode.CAPACITY_EXHAUSTED ? Future.failedFuture(err) : Future.succeededFuture(null)));
    }
    Future.join(reads).onComplete(ar -> {
      try {
        answerBatch(ctx, reads, base64, fields);
      } finally {
        reads.stream().filter(Future::succeeded).map(Future::result)
          .filter(found -> found != null).forEach(submitted::release);
      }
    });
  }

  private void answerBatch(RoutingContext ctx, List<Future<Judge0Submissions.Found>> reads, boolean base64,
                           Judge0Output.Fields fields) {
    for (Future<Judge0Submissions.Found> read : reads) {
      if (read.failed()) {
        ctx.fail(read.cause());
        return;
      }
    }
    JsonArray list = new JsonArray();
    try {
      for (Future<Judge0Submissions.Found> read : reads) {
        Judge0Submissions.Found found = read.result();
        list.add(found == null ? null
          : Judge0Output.render(found.result(), found.submission(), found.submission() == null ? null
          : found.submission().languageId(), languageName(found), base64, fields.names()));
      }
    } catch (Judge0Output.NotUtf8 e) {
      Judge0Errors.sendError(ctx, 400, Judge0Output.NOT_UTF8_BATCH);
      return;
    }
    Judge0Errors.send(ctx, 200, new JsonObject().put("submissions", list));
  }

  private String languageName(Judge0Submissions.Found found) {
    RuntimeSpec runtime = found.submission() == null ? null : languages.find(found.submission().languageId());
    return runtime == null ? found.result().language() : Judge0Languages.name(runtime);
  }

  /**
   * {@code POST /submissions/batch}: each valid submission is made, each invalid one answered with its
   * errors in its place (Judge0 makes the valid ones of a batch); 201 when one was made, else 422.
   * Submissions are admitted in order, each against the key's quota: one refused gets
   * {@code {"error": ...}} in its place.
   */
  private void createBatch(RoutingContext ctx) {
    boolean base64 = "true".equals(ctx.request().getParam("base64_encoded"));
    Buffer body = ctx.body().buffer();
    Principal principal = AuthHandler.principal(ctx);
    decoding.decode(body == null ? 0 : body.length(), () -> ExecutionRequestParser.decode(body))
      .onFailure(ctx::fail)
      .onSuccess(json -> {
        JsonArray items = json.getValue("submissions") instanceof JsonArray a ? a : new JsonArray();
        if (!batchSize(ctx, items.size())) {
          return;
        }
        JsonArray answers = new JsonArray();
        Future<Void> chain = Future.succeededFuture();
        boolean[] made = {false};
        for (int i = 0; i < items.size(); i++) {
          JsonObject item = items.getValue(i) instanceof JsonObject o ? o : new JsonObject();
          chain = chain.compose(v -> createOne(item, base64, principal)
            .andThen(ar -> {
              made[0] |= ar.succeeded() && ar.result().containsKey("token");
              answers.add(ar.succeeded() ? ar.result() : new JsonObject().put("error", ar.cause().getMessage()));
            })
            .<Void>mapEmpty()
            .recover(err -> Future.succeededFuture()));
        }
        chain.onComplete(ar -> Judge0Errors.send(ctx, made[0] ? 201 : 422, answers));
      });
  }

  private Future<JsonObject> createOne(JsonObject item, boolean base64, Principal principal) {
    Prepared p;
    try {
      p = prepare(item, base64, principal);
    } catch (Judge0Request.Invalid e) {
      return Future.succeededFuture(e.errors());
    } catch (GatewayException e) {
      return Future.succeededFuture(Judge0Errors.fieldErrors(e));
    }
    return remember(p).compose(v -> admit(p, principal, () -> waiter.admit(p.job(), principal)))
      .map(a -> new JsonObject().put("token", p.job().id()));
  }

  private boolean batchSize(RoutingContext ctx, int size) {
    int max = options.getJudge0().getMaxBatchSize();
    if (size > max) {
      Judge0Errors.sendError(ctx, 400, "number of submissions in a batch should be less than or equal to " + max);
      return false;
    }
    if (size == 0) {
      Judge0Errors.sendError(ctx, 400, "there should be at least one submission in a batch");
      return false;
    }
    return true;
  }

  private Judge0Output.Fields fields(RoutingContext ctx) {
    Judge0Output.Fields fields = Judge0Output.Fields.parse(ctx.request().getParam("fields"));
    if (fields.problem() != null) {
      Judge0Errors.sendError(ctx, 400, fields.problem());
      return null;
    }
    return fields;
  }

  private Future<Void> remember(Prepared p) {
    return submitted.remember(p.job().id(), p.submission());
  }
}
