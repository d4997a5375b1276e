package io.execgate.client;

import io.execgate.ExecutionClient;
import io.execgate.ExecutionStream;
import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.SessionChannel;
import io.execgate.bus.Codecs;
import io.execgate.bus.ExecutionChannel;
import io.execgate.error.Replies;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.SessionCall;
import io.execgate.model.SessionCall.Action;
import io.execgate.model.SessionFile;
import io.execgate.model.SessionInfo;
import io.execgate.model.SessionRequest;
import io.execgate.model.SessionSpec;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.request.RequestResolver;
import io.execgate.session.PythonKernel;
import io.execgate.session.SessionBinding;
import io.execgate.session.SessionPaths;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.FrameRelay;
import io.execgate.stream.FrameStream;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;


/**
 * {@link ExecutionClient} over the event bus: the scheduler's admit address, the execution's output,
 * replay and control addresses, and the shared map of records. Each operation runs on the caller's
 * context, so that the relay and waiter it creates never see two threads.
 */
public final class EventBusExecutionClient implements ExecutionClient {

  /** The client's sessions belong to no key, as its executions. */
  private static final Principal OWNER = Principal.ANONYMOUS;

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
      FrameStream stream = new FrameStream(ctx, job.id(),
        () -> new ExecutionChannel(vertx.eventBus(), addresses).cancelAndForget(job.id()));
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

  @Override
  public Future<SessionInfo> createSession(SessionRequest request) {
    return onContext((ctx, store) -> {
      // resolved exactly as an execution: runtime, version, image policy, env and limits
      ExecutionJob job = resolver.resolve(new ExecutionRequest("true", null, request.language(), request.version(),
        request.image(), null, null, request.env(), request.limits()), false);
      var config = options.getSessions();
      long idle = seconds(request.idleTimeoutSeconds(), "idleTimeoutSeconds", config.getIdleTimeoutSeconds(),
        config.getMaxIdleTimeoutSeconds());
      long lifetime = seconds(request.lifetimeSeconds(), "maxLifetimeSeconds", config.getLifetimeSeconds(),
        config.getMaxLifetimeSeconds());
      if (request.stateful()) {
        PythonKernel.checkStateful(job.runtime());
      }
      SessionSpec spec = new SessionSpec(job.runtime(), job.image(), job.env(), job.limits(), idle, lifetime,
        request.stateful());
      return call(new SessionCall(Action.CREATE, OWNER.id(), OWNER.admin(), null, spec, null, null, null, false))
        .map(json -> SessionInfo.fromJson((JsonObject) json));
    });
  }

  private static long seconds(Long value, String field, long defaultValue, long max) {
    if (value == null) {
      return defaultValue;
    }
    if (value < 1 || value > max) {
      throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, field + " is " + value + "; it must be between 1 and "
        + max, field);
    }
    return value;
  }

  @Override
  public Future<ExecutionResult> execute(String sessionId, ExecutionRequest request) {
    return onContext((ctx, store) -> {
      for (String[] set : new String[][]{{"language", request.language()}, {"version", request.version()},
        {"image", request.image()}}) {
        if (set[1] != null) {
          throw GatewayException.invalid(set[0], set[0] + " is the session's: an execution in a session runs in its "
            + "sandbox");
        }
      }
      var l = request.limits();
      if (l.memoryMb() != null || l.cpus() != null || l.pids() != null) {
        throw GatewayException.invalid("limits", "memoryMb, cpus and pids are the session's sandbox's; an execution "
          + "sets only timeoutMs and outputBytes");
      }
      return call(SessionCall.of(Action.GET, OWNER.id(), OWNER.admin(), sessionId)).compose(json -> {
        JsonObject session = (JsonObject) json;
        ExecutionJob job = resolver.resolve(request.withLanguage(session.getString("language"))
          .withVersion(session.getString("version")), false);
        return call(new SessionCall(Action.ACQUIRE, OWNER.id(), OWNER.admin(), sessionId, null, null, null, job.id(),
          false))
          .map(acquired -> SessionBinding.bind(job, (JsonObject) acquired, sessionId));
      }).compose(job -> new ResultWaiter(vertx, addresses, store).submitAndWait(job, OWNER, null, null)
        // the session frees itself once the execution ran; this frees it when it never reached the sandbox
        .onFailure(err -> call(new SessionCall(Action.RELEASE, OWNER.id(), OWNER.admin(), sessionId, null, null, null,
          job.id(), false)))
        .compose(store::full));
    });
  }

  @Override
  public Future<Void> putFile(String sessionId, String path, Buffer content) {
    return fileCall(Action.PUT_FILE, sessionId, path, content.getBytes()).mapEmpty();
  }

  @Override
  public Future<Buffer> getFile(String sessionId, String path) {
    return fileCall(Action.GET_FILE, sessionId, path, null).map(Buffer.class::cast);
  }

  @Override
  public Future<List<SessionFile>> listFiles(String sessionId) {
    return onContext((ctx, store) -> call(SessionCall.of(Action.LIST_FILES, OWNER.id(), OWNER.admin(), sessionId))
      .map(json -> ((JsonObject) json).getJsonArray("files").stream()
        .map(o -> SessionFile.fromJson((JsonObject) o)).toList()));
  }

  @Override
  public Future<Void> deleteFile(String sessionId, String path) {
    return fileCall(Action.DELETE_FILE, sessionId, path, null).mapEmpty();
  }

  @Override
  public Future<Void> closeSession(String sessionId) {
    return onContext((ctx, store) -> call(SessionCall.of(Action.DELETE, OWNER.id(), OWNER.admin(), sessionId))
      .mapEmpty());
  }

  private Future<Object> fileCall(Action action, String sessionId, String path, byte[] data) {
    return onContext((ctx, store) -> call(new SessionCall(action, OWNER.id(), OWNER.admin(), sessionId, null,
      SessionPaths.check(path, "path"), data, null, false)));
  }

  private Future<Object> call(SessionCall call) {
    return new SessionChannel(vertx.eventBus(), addresses).call(call);
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
