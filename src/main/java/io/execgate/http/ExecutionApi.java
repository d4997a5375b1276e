package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.ImageChannel;
import io.execgate.bus.PoolChannel;
import io.execgate.bus.SchedulerChannel;
import io.execgate.client.ExecutionControl;
import io.execgate.model.Admission;
import io.execgate.model.CallbackState;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.PoolKey;
import io.execgate.model.PoolState;
import io.execgate.model.Readiness;
import io.execgate.model.RuntimeSpec;
import io.execgate.request.RuntimeCatalog;
import io.execgate.store.BatchStore;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputPart;
import io.execgate.store.StoredRecord;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The handlers of the execution API. They validate, talk to the scheduler and executors over the
 * event bus and read records from the store; they never block and never talk to Docker.
 */
final class ExecutionApi {

  static final String IDEMPOTENCY_KEY = "idempotency-key";

  private final Vertx vertx;
  private final GatewayOptions options;
  private final Addresses addresses;
  private final ExecutionStore store;
  private final ExecutionRequestParser parser;
  private final ResultWaiter waiter;
  private final RuntimeCatalog runtimes;
  private final Idempotency idempotency;
  private final ExecutionControl executions;
  private final BodyDecoding decoding;
  private final Callbacks callbacks;
  private final BatchStore batches;

  ExecutionApi(Vertx vertx, GatewayOptions options, ExecutionStore store, BatchStore batches) {
    this.vertx = vertx;
    this.options = options;
    this.addresses = new Addresses(options.getAddressPrefix());
    this.store = store;
    this.parser = new ExecutionRequestParser(options);
    this.waiter = new ResultWaiter(vertx, addresses, store);
    this.runtimes = new RuntimeCatalog(options);
    this.executions = new ExecutionControl(vertx, addresses, store);
    this.idempotency = new Idempotency(vertx, addresses.prefix(), options.getExecutor().getRecordTtlSeconds() * 1000);
    this.decoding = new BodyDecoding(vertx, options.getAddressPrefix());
    this.callbacks = new Callbacks(vertx, options);
    this.batches = batches;
  }

  /**
   * @return the webhook side of submits
   */
  Callbacks callbacks() {
    return callbacks;
  }

  /**
   * @return how the HTTP API decodes large input off the event loop
   */
  BodyDecoding decoding() {
    return decoding;
  }

  /**
   * @return the submit path shared with the other APIs
   */
  ResultWaiter waiter() {
    return waiter;
  }

  void submit(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    boolean idempotent = ctx.request().getHeader(IDEMPOTENCY_KEY) != null;
    // the body's fingerprint is computed with its parse: hashing megabytes takes milliseconds too
    decoding.decode(body == null ? 0 : body.length(), () -> new Parsed(parser.parse(body, false),
        idempotent ? Idempotency.fingerprint(body) : null))
      .onSuccess(parsed -> submit(ctx, parsed.submit(), parsed.fingerprint()))
      .onFailure(ctx::fail);
  }

  private record Parsed(ExecutionRequestParser.Submit submit, String fingerprint) {
  }

  /**
   * Parses a body; a large one on a worker thread, so that decoding megabytes of JSON never holds an
   * event loop.
   */
  Future<ExecutionRequestParser.Submit> parse(Buffer body, boolean interactive) {
    return decoding.decode(body == null ? 0 : body.length(), () -> parser.parse(body, interactive));
  }

  private void submit(RoutingContext ctx, ExecutionRequestParser.Submit submit, String fingerprint) {
    ExecutionJob job = submit.job();
    String waitParam = ctx.request().getParam("wait");
    boolean wait = waitParam != null ? Boolean.parseBoolean(waitParam) : submit.waitForResult();
    Principal principal = AuthHandler.principal(ctx);
    String idempotencyKey = ctx.request().getHeader(IDEMPOTENCY_KEY);
    String callbackUrl = submit.callbackUrl();
    if (idempotencyKey == null) {
      start(ctx, job, principal, wait, callbackUrl);
      return;
    }
    idempotency.claim(principal, idempotencyKey, fingerprint, job.id())
      .onSuccess(existing -> {
        if (existing == null) {
          start(ctx, job, principal, wait, callbackUrl)
            .onFailure(err -> idempotency.release(principal, idempotencyKey));
        } else {
          replay(ctx, existing, wait);
        }
      })
      .onFailure(ctx::fail);
  }

  Future<?> start(RoutingContext ctx, ExecutionJob job, Principal principal, boolean wait) {
    return start(ctx, job, principal, wait, null);
  }

  Future<?> start(RoutingContext ctx, ExecutionJob job, Principal principal, boolean wait,
                          String callbackUrl) {
    if (callbackUrl != null) {
      // the webhook is registered before the admission and forgotten if it fails; a client that waits
      // follows the execution once admitted (going away does not take its webhook back)
      Future<Admission> admitted = callbacks.around(callbackUrl, false, job.id(), principal,
        () -> waiter.admit(job, principal));
      if (wait) {
        return admitted.compose(a -> waiter.follow(job.id(), gone(ctx.response())))
          .onSuccess(record -> respond(ctx, 200, record, null))
          .onFailure(ctx::fail);
      }
      return admitted.onSuccess(admission -> accepted(ctx, job, admission)).onFailure(ctx::fail);
    }
    if (wait) {
      return waiter.submitAndWait(job, principal, gone(ctx.response()), null)
        .onSuccess(record -> respond(ctx, 200, record, null))
        .onFailure(ctx::fail);
    }
    return waiter.admit(job, principal)
      .onSuccess(admission -> accepted(ctx, job, admission))
      .onFailure(ctx::fail);
  }

  private static void accepted(RoutingContext ctx, ExecutionJob job, Admission admission) {
    ctx.response()
      .setStatusCode(202)
      .putHeader("content-type", "application/json")
      .putHeader("location", self(ctx, job.id()))
      .end(accepted(self(ctx, job.id()), job, admission).encode());
  }

  /**
   * A retried submit with the same {@code Idempotency-Key}: answers with the execution the first one
   * created, as the first would have.
   */
  private void replay(RoutingContext ctx, String id, boolean wait) {
    ctx.response().putHeader("idempotent-replay", "true");
    if (wait) {
      waiter.follow(id, gone(ctx.response()))
        .onSuccess(record -> respond(ctx, 200, record, null))
        .onFailure(ctx::fail);
      return;
    }
    store.get(id).onComplete(ar -> {
      String self = self(ctx, id);
      String status = ar.succeeded() && ar.result() != null ? ar.result().status().id() : "queued";
      ctx.response().setStatusCode(202)
        .putHeader("content-type", "application/json")
        .putHeader("location", self)
        .end(new JsonObject().put("id", id).put("status", status).put("links", links(self)).encode());
    });
  }

  /**
   * @return the path of an execution, below the prefix an application may have mounted the API at
   */
  private static String self(RoutingContext ctx, String id) {
    String mount = ctx.mountPoint();
    String base = mount == null ? "" : mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount;
    return base + "/v1/executions/" + id;
  }

  private static JsonObject accepted(String self, ExecutionJob job, Admission admission) {
    return new JsonObject()
      .put("id", job.id())
      .put("status", "queued")
      .put("position", admission.position())
      .put("links", links(self));
  }

  private static JsonObject links(String self) {
    return new JsonObject().put("self", self).put("stream", self + "/stream").put("events", self + "/events");
  }

  /**
   * @return the reads and cancels of executions, each for a caller
   */
  ExecutionControl executions() {
    return executions;
  }

  void get(RoutingContext ctx) {
    StoredRecord checked = OwnedResources.resource(ctx);
    Future<StoredRecord> current = executions.current(checked);
    Future<CallbackState> callback = batches.callback(checked.result().id()).otherwiseEmpty();
    Future.all(current, callback)
      .onSuccess(v -> {
        StoredRecord record = current.result();
        JsonObject extra = new JsonObject();
        if (callback.result() != null) {
          extra.put("callback", callback.result().toJson());
        }
        if (record.result().status() != ExecutionStatus.QUEUED) {
          respond(ctx, 200, record, extra);
          return;
        }
        new SchedulerChannel(vertx.eventBus(), addresses).position(record.result().id())
          .onComplete(ar -> respond(ctx, 200, record, ar.succeeded() && ar.result() >= 0
            ? extra.put("position", ar.result()) : extra));
      })
      .onFailure(ctx::fail);
  }

  void cancel(RoutingContext ctx) {
    StoredRecord checked = OwnedResources.resource(ctx);
    String id = checked.result().id();
    executions.cancel(id, AuthHandler.principal(ctx))
      .compose(result -> store.requireRecord(id))
      .onSuccess(record -> respond(ctx, 200, record, null))
      .onFailure(ctx::fail);
  }

  void runtimes(RoutingContext ctx) {
    poolState().onComplete(ar -> {
      PoolState pools = ar.succeeded() ? ar.result() : null;
      JsonArray list = new JsonArray();
      for (RuntimeSpec spec : runtimes.all()) {
        JsonObject entry = new JsonObject()
          .put("name", spec.name())
          .put("aliases", new JsonArray(spec.aliases()))
          .put("version", spec.version())
          .put("image", spec.image())
          .put("file", spec.file())
          .put("compiled", spec.compile() != null)
          .put("compile", spec.compile())
          .put("run", spec.run());
        PoolState.Pool pool = pools == null ? null : pools.pool(PoolKey.of(spec, spec.image()));
        if (pool != null) {
          entry.put("pool", new JsonObject().put("ready", pool.ready()).put("target", pool.target()));
        }
        list.add(entry);
      }
      respond(ctx, 200, new JsonObject().put("default", options.getDefaultRuntime()).put("runtimes", list));
    });
  }

  private Future<PoolState> poolState() {
    return new PoolChannel(vertx.eventBus(), addresses).state();
  }

  void ready(RoutingContext ctx) {
    Future<Readiness> readiness = new ImageChannel(vertx.eventBus(), addresses).readiness()
      .otherwise(err -> new Readiness(false, false, "readiness check failed: " + err.getMessage()));
    Future<PoolState> pools = poolState();
    Future.join(readiness, pools).onComplete(ar -> {
      Readiness r = readiness.result();
      if (AuthHandler.principal(ctx) == Principal.NOBODY) {
        // a caller without a key (an orchestrator's probe) learns the status, not the node's checks and pools
        respond(ctx, r.ready() ? 200 : 503, new JsonObject().put("ready", r.ready()));
        return;
      }
      JsonObject body = r.toJson();
      // the warm pool never gates readiness: without it executions start cold
      body.put("pool", pools.succeeded() ? pools.result().toJson() : null);
      respond(ctx, r.ready() ? 200 : 503, body);
    });
  }

  /**
   * @return a future completed when the client closes the connection before the response ends
   */
  static Future<Void> gone(HttpServerResponse response) {
    Promise<Void> promise = Promise.promise();
    response.closeHandler(v -> promise.tryComplete());
    return promise.future();
  }

  /**
   * Answers with a record, its texts read from the store and written as the client takes them.
   *
   * @param extra fields to add (the queue position, the webhook's delivery state), or {@code null}
   */
  private void respond(RoutingContext ctx, int status, StoredRecord record, JsonObject extra) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    StreamedJson body = new StreamedJson();
    String[] texts = new String[OutputPart.values().length];
    for (OutputPart part : OutputPart.values()) {
      texts[part.ordinal()] = record.has(part) ? body.slot(() -> store.text(record, part)) : null;
    }
    ExecutionResult template = record.result().withOutput(texts[0], texts[1], texts[2], texts[3]);
    JsonObject json = template.toJson();
    if (extra != null) {
      json.mergeIn(extra);
    }
    body.send(response, status, json);
  }

  static void respond(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
  }
}
