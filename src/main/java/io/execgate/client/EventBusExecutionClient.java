package io.execgate.client;

import io.execgate.ExecutionClient;
import io.execgate.ExecutionStream;
import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.error.Replies;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.request.RequestResolver;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.FrameRelay;
import io.execgate.stream.FrameStream;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;


/**
 * {@link ExecutionClient} over the event bus: the scheduler's admit address, the execution's output,
 * replay and control addresses, and the shared map of records. Each operation runs on the caller's
 * context, so that the relay and waiter it creates never see two threads.
 */
public final class EventBusExecutionClient implements ExecutionClient {

  private final Vertx vertx;
  private final GatewayOptions options;
  private final Addresses addresses;
  private final RequestResolver resolver;
  private final Future<ExecutionStore> store;

  public EventBusExecutionClient(Vertx vertx, GatewayOptions options) {
    this.vertx = vertx;
    this.options = new GatewayOptions(options).validate();
    this.addresses = new Addresses(this.options.getAddressPrefix());
    this.resolver = new RequestResolver(this.options);
    // a client may live in a Vertx (a cluster node) where no gateway registered them
    Codecs.registerAll(vertx.eventBus());
    this.store = ExecutionStore.open(vertx, addresses.executionsMap(),
      this.options.getExecutor().getRecordTtlSeconds() * 1000);
  }

  @Override
  public Future<ExecutionResult> execute(ExecutionRequest request) {
    return onContext((ctx, store) -> {
      ExecutionJob job = resolver.resolve(request, false);
      return new ResultWaiter(vertx, addresses, store).submitAndWait(job, Principal.ANONYMOUS, null, null)
        .compose(store::full);
    });
  }

  @Override
  public Future<ExecutionStream> stream(ExecutionRequest request) {
    return onContext((ctx, store) -> {
      ExecutionJob job = resolver.resolve(request, false);
      FrameStream stream = new FrameStream(ctx, job.id(), () -> vertx.eventBus().send(addresses.control(job.id()),
        Control.cancel()));
      FrameRelay relay = new FrameRelay(vertx, addresses, store, job.id(), 0, FrameRelay.Mode.OWNER,
        options.getHttp().getStreamBufferBytes(), options.getExecutor().getStreamRetainBytes(), stream);
      // subscribed before the submit: no frame can be missed, none needs a replay
      return relay.subscribe()
        .compose(v -> new ResultWaiter(vertx, addresses, store).admit(job, Principal.ANONYMOUS))
        .<ExecutionStream>map(admission -> {
          relay.start(false);
          return stream;
        })
        .onFailure(err -> relay.stop());
    });
  }

  @Override
  public Future<ExecutionResult> get(String id) {
    return onContext((ctx, store) -> {
      ExecutionControl executions = new ExecutionControl(vertx, addresses, store);
      return executions.findRecord(id, Principal.ANONYMOUS).compose(executions::current).compose(store::full);
    });
  }

  @Override
  public Future<ExecutionResult> cancel(String id) {
    return onContext((ctx, store) -> new ExecutionControl(vertx, addresses, store)
      .cancel(id, Principal.ANONYMOUS).compose(result -> store.full(id)));
  }

  /**
   * Runs {@code operation} on the caller's context once the store is open; every failure becomes a
   * {@link io.execgate.error.GatewayException}.
   */
  private <T> Future<T> onContext(ContextOperation<T> operation) {
    Context ctx = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    store.onComplete(ar -> ctx.runOnContext(v -> {
      Future<T> result;
      try {
        result = ar.succeeded() ? operation.apply(ctx, ar.result()) : Future.failedFuture(ar.cause());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> {
        if (done.succeeded()) {
          promise.complete(done.result());
        } else {
          promise.fail(Replies.toGatewayException(done.cause()));
        }
      });
    }));
    return promise.future();
  }

  @FunctionalInterface
  private interface ContextOperation<T> {
    Future<T> apply(Context ctx, ExecutionStore store);
  }
}
