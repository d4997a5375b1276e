package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.client.ExecutionControl;
import io.execgate.error.GatewayException;
import io.execgate.model.Admission;
import io.execgate.model.BatchRecord;
import io.execgate.model.ExecutionJob;
import io.execgate.store.BatchStore;
import io.execgate.store.BatchView;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.ResultWaiter;
import io.execgate.webhook.CallbackPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/batches} and {@code GET /v1/batches/{id}}: many executions in one request, each
 * validated as a submit; one bad item refuses the whole batch (its index in the error), and the
 * admission is all or none: the items are counted together against the key's quota and the node's
 * queue, so that a batch that does not fit is refused as a whole with 429.
 */
final class BatchApi {

  private static final Logger log = LoggerFactory.getLogger(BatchApi.class);
  private static final Set<String> FIELDS = Set.of("executions", "callbackUrl");

  private final GatewayOptions options;
  private final BatchStore batches;
  private final BatchView views;
  private final ExecutionRequestParser parser;
  private final ResultWaiter waiter;
  private final ExecutionControl executions;
  private final Callbacks callbacks;
  private final BodyDecoding decoding;

  BatchApi(Vertx vertx, GatewayOptions options, ExecutionStore store, BatchStore batches, ExecutionApi api) {
    this.options = options;
    this.batches = batches;
    this.views = new BatchView(store, batches);
    this.parser = new ExecutionRequestParser(options);
    this.waiter = new ResultWaiter(vertx, new Addresses(options.getAddressPrefix()), store);
    this.executions = api.executions();
    this.callbacks = api.callbacks();
    this.decoding = api.decoding();
  }

  /** A parsed batch. */
  private record Batch(List<ExecutionRequestParser.Submit> items, String callbackUrl) {
  }

  /** A failure of the item at {@code index}: the batch is refused, and the error names the index. */
  private static final class ItemFailure extends RuntimeException {
    final int index;
    final GatewayException error;

    ItemFailure(int index, GatewayException error) {
      super(error.getMessage(), null, false, false);
      this.index = index;
      this.error = error;
    }
  }

  /**
   * Finds a batch for the ownership check: another key's batch is a 404, as an unknown one.
   */
  Future<BatchRecord> find(String id, Principal principal) {
    return batches.require(id).compose(b -> principal.mayAccess(b.owner(), id) ? Future.succeededFuture(b)
      : Future.failedFuture(BatchStore.notFound(id)));
  }

  void submit(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    Principal principal = AuthHandler.principal(ctx);
    boolean wait = Boolean.parseBoolean(ctx.request().getParam("wait"));
    decoding.decode(body == null ? 0 : body.length(), () -> check(parse(body), principal))
      .compose(batch -> admit(batch, principal))
      .compose(batch -> wait ? waitAll(ctx, batch) : Future.succeededFuture(batch))
      .onSuccess(batch -> respond(ctx, batch, wait))
      .onFailure(err -> fail(ctx, err));
  }

  void get(RoutingContext ctx) {
    BatchRecord batch = OwnedResources.resource(ctx);
    views.view(batch, true)
      .onSuccess(json -> ExecutionApi.respond(ctx, 200, json))
      .onFailure(ctx::fail);
  }

  private Batch parse(Buffer body) {
    JsonObject json = ExecutionRequestParser.decode(body);
    for (String key : json.fieldNames()) {
      if (!FIELDS.contains(key)) {
        throw GatewayException.invalid(key, "unknown field " + key);
      }
    }
    if (!(json.getValue("executions") instanceof JsonArray array) || array.isEmpty()) {
      throw GatewayException.invalid("executions", "executions must be a non-empty array of execution requests");
    }
    int max = options.getBatches().getMaxExecutions();
    if (array.size() > max) {
      throw GatewayException.invalid("executions", "a batch carries at most " + max + " executions, this one "
        + array.size());
    }
    Object callback = json.getValue("callbackUrl");
    if (callback != null && !(callback instanceof String)) {
      throw GatewayException.invalid("callbackUrl", "callbackUrl must be a string");
    }
    List<ExecutionRequestParser.Submit> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw new ItemFailure(i, GatewayException.invalid("executions[" + i + "]",
          "executions[" + i + "] must be an object"));
      }
      try {
        items.add(parser.parse(item, false));
      } catch (GatewayException e) {
        throw new ItemFailure(i, e);
      }
    }
    return new Batch(items, (String) callback);
  }

  /**
   * The checks that need the key: its runtimes and images, and the callbacks' policy.
   */
  private Batch check(Batch batch, Principal principal) {
    for (int i = 0; i < batch.items().size(); i++) {
      ExecutionRequestParser.Submit item = batch.items().get(i);
      GatewayException refused = ResultWaiter.refusal(item.job(), principal);
      if (refused != null) {
        throw new ItemFailure(i, refused);
      }
      try {
        callbacks.check(item.callbackUrl(), principal, CallbackPolicy.FIELD);
      } catch (GatewayException e) {
        throw new ItemFailure(i, e);
      }
    }
    callbacks.check(batch.callbackUrl(), principal, CallbackPolicy.FIELD);
    return batch;
  }

  /**
   * Stores the batch and admits its items, all or none.
   */
  private Future<BatchRecord> admit(Batch batch, Principal principal) {
    List<String> ids = batch.items().stream().map(s -> s.job().id()).toList();
    BatchRecord record = new BatchRecord(UUID.randomUUID().toString(), principal.id(), System.currentTimeMillis(), ids,
      batch.callbackUrl());
    return batches.put(record)
      .compose(v -> callbacks.around(batch.callbackUrl(), true, record.id(), principal,
        () -> admitItems(batch, principal)))
      .transform(ar -> ar.succeeded() ? Future.succeededFuture(record)
        : batches.remove(record.id()).transform(v -> Future.failedFuture(ar.cause())));
  }

  private Future<Void> admitItems(Batch batch, Principal principal) {
    int n = batch.items().size();
    return waiter.reserve(n, principal)
      .recover(err -> {
        // a cluster has no reservations: its items are admitted one by one, and taken back if one is refused
        if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
          return Future.succeededFuture(null);
        }
        return Future.failedFuture(err);
      })
      .compose(reservation -> {
        List<Future<Admission>> admits = new ArrayList<>(n);
        for (ExecutionRequestParser.Submit item : batch.items()) {
          ExecutionJob job = item.job();
          admits.add(callbacks.around(item.callbackUrl(), false, job.id(), principal,
            () -> waiter.admit(job, principal, reservation)));
        }
        return Future.join(admits).transform(ar -> ar.succeeded() ? Future.succeededFuture()
          : takeBack(admits, principal).transform(v -> Future.failedFuture(ar.cause())));
      });
  }

  /**
   * Cancels the items that were admitted when another was not: the batch is refused as a whole.
   */
  private Future<Void> takeBack(List<Future<Admission>> admits, Principal principal) {
    List<Future<?>> cancels = new ArrayList<>();
    for (Future<Admission> a : admits) {
      if (a.succeeded()) {
        callbacks.drop(a.result().id());
        cancels.add(executions.cancel(a.result().id(), principal));
      }
    }
    if (!cancels.isEmpty()) {
      log.info("a batch was refused after {} of {} items were admitted: they are cancelled", cancels.size(),
        admits.size());
    }
    return Future.join(cancels).mapEmpty();
  }

  private Future<BatchRecord> waitAll(RoutingContext ctx, BatchRecord batch) {
    Future<Void> gone = ExecutionApi.gone(ctx.response());
    List<Future<?>> finals = new ArrayList<>();
    for (String id : batch.executionIds()) {
      finals.add(waiter.follow(id, gone));
    }
    return Future.all(finals).map(batch);
  }

  private void respond(RoutingContext ctx, BatchRecord batch, boolean wait) {
    String self = self(ctx, batch.id());
    ctx.response().putHeader("location", self);
    if (wait) {
      views.view(batch, true)
        .onSuccess(json -> ExecutionApi.respond(ctx, 200, json.put("links", new JsonObject().put("self", self))))
        .onFailure(ctx::fail);
      return;
    }
    JsonArray items = new JsonArray();
    batch.executionIds().forEach(id -> items.add(new JsonObject().put("id", id)));
    ExecutionApi.respond(ctx, 202, new JsonObject().put("id", batch.id()).put("executions", items)
      .put("links", new JsonObject().put("self", self)));
  }

  private static void fail(RoutingContext ctx, Throwable err) {
    if (err instanceof ItemFailure item) {
      GatewayException e = item.error;
      String where = "executions[" + item.index + "]";
      ctx.put(ApiErrors.INDEX, item.index);
      ctx.fail(new GatewayException(e.code(), where + ": " + e.getMessage(),
        e.field() == null ? where : where + "." + e.field()));
      return;
    }
    ctx.fail(err);
  }

  private static String self(RoutingContext ctx, String id) {
    String mount = ctx.mountPoint();
    String base = mount == null ? "" : mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount;
    return base + "/v1/batches/" + id;
  }
}
