package io.execgate.webhook;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.config.Backoff;
import io.execgate.config.WebhookOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.metrics.GatewayMetrics;
import io.execgate.model.BatchRecord;
import io.execgate.model.CallbackRequest;
import io.execgate.model.CallbackState;
import io.execgate.model.ExecutionResult;
import io.execgate.store.BatchStore;
import io.execgate.store.BatchView;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers completion webhooks: once an execution (or every execution of a batch) is final, POSTs
 * its record, signed ({@link WebhookSigner}), to its callback URL (a Judge0 submission's: PUTs the
 * submission as Judge0 serializes it, {@link CallbackBody}, signed the same way); retries failed attempts with
 * exponential backoff and jitter up to {@code webhooks.maxAttempts}, each attempt bounded by
 * {@code webhooks.timeoutMs}; records each attempt's outcome ({@link CallbackState}) beside the
 * record. Redirects are never followed; every attempt resolves the host again and connects only to
 * an address the {@link CallbackPolicy} admits. At least once: a receiver may see a delivery twice
 * (same {@code Execgate-Delivery}). Pending deliveries live in this verticle: a gateway that stops
 * loses those not yet made. One instance per node, on an event loop.
 */
public final class WebhookVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WebhookVerticle.class);
  static final String USER_AGENT = "execgate-webhook/1";

  private final GatewayOptions options;
  private final WebhookOptions webhooks;
  private final Addresses addresses;
  private final CallbackPolicy policy;
  private final CallbackBody judge0;
  private final Map<String, Pending> pending = new HashMap<>();
  private ExecutionStore executions;
  private BatchStore batches;
  private BatchView views;
  private ResultWaiter waiter;
  private HttpClient client;
  private WorkerExecutor resolver;
  private long delivered;
  private long failed;

  public WebhookVerticle(GatewayOptions options) {
    this(options, null);
  }

  /**
   * @param judge0 renders a Judge0 submission's callback body; {@code null} when the Judge0 API is not served
   *               (such a callback is then given up)
   */
  public WebhookVerticle(GatewayOptions options, CallbackBody judge0) {
    this.judge0 = judge0;
    this.options = new GatewayOptions(options);
    this.webhooks = this.options.getWebhooks();
    this.addresses = new Addresses(this.options.getAddressPrefix());
    this.policy = new CallbackPolicy(this.options);
  }

  /** One delivery: waiting for its execution or batch, or between attempts. */
  private final class Pending {
    final CallbackRequest request;
    final CallbackPolicy.Target target;
    final String deliveryId = UUID.randomUUID().toString();
    final Promise<Void> dropped = Promise.promise();
    long timer = -1;

    Pending(CallbackRequest request, CallbackPolicy.Target target) {
      this.request = request;
      this.target = target;
    }
  }

  @Override
  public Future<?> start() {
    long ttl = options.getExecutor().getRecordTtlSeconds() * 1000;
    client = vertx.createHttpClient(new HttpClientOptions()
        .setKeepAlive(false)
        .setConnectTimeout((int) webhooks.getTimeoutMs())
        .setIdleTimeout((int) Math.max(1, webhooks.getTimeoutMs() / 1000))
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxRedirects(0),
      new PoolOptions().setHttp1MaxSize(64));
    // lookups block: a few threads of their own, so a slow resolver never holds the shared pool
    resolver = vertx.createSharedWorkerExecutor(addresses.prefix() + "-webhook-dns", 4);
    Future<ExecutionStore> store = ExecutionStore.open(vertx, addresses.executionsMap(), ttl);
    batches = new BatchStore(vertx, addresses.batchesMap(), addresses.callbacksMap(), ttl);
    GatewayMetrics metrics = GatewayMetrics.of(vertx, addresses.prefix());
    metrics.gauge("execgate_webhooks_pending", "Webhook deliveries waiting for their execution or their next attempt",
      this, w -> w.pending.size());
    metrics.functionCounter("execgate_webhooks_delivered", "Webhook deliveries a receiver took (2xx)", () -> delivered);
    metrics.functionCounter("execgate_webhooks_failed", "Webhook deliveries given up (attempts spent, a redirect, a"
      + " refused address)", () -> failed);
    return store.compose(v -> {
      executions = store.result();
      views = new BatchView(executions, batches);
      waiter = new ResultWaiter(vertx, addresses, executions);
      return Future.all(
        vertx.eventBus().<CallbackRequest>localConsumer(addresses.webhookWatch(), this::watch).completion(),
        vertx.eventBus().<String>localConsumer(addresses.webhookDrop(), m -> drop(m.body())).completion());
    });
  }

  private void watch(Message<CallbackRequest> message) {
    CallbackRequest request = message.body();
    if (pending.size() >= webhooks.getMaxPending()) {
      Replies.fail(message, new GatewayException(ErrorCode.CAPACITY_EXHAUSTED, "too many webhook deliveries pending ("
        + webhooks.getMaxPending() + ")", CallbackPolicy.FIELD));
      return;
    }
    CallbackPolicy.Target target;
    try {
      target = policy.parse(request.url(), CallbackPolicy.FIELD);
    } catch (GatewayException e) {
      Replies.fail(message, e);
      return;
    }
    Pending p = new Pending(request, target);
    pending.put(request.id(), p);
    batches.putCallback(request.id(), CallbackState.PENDING)
      .onComplete(ar -> message.reply(null));
    payload(p)
      .onSuccess(body -> attempt(p, body, 1))
      .onFailure(err -> {
        if (pending.remove(request.id(), p)) {
          log.debug("[{}] no webhook delivery: {}", request.id(), err.getMessage());
        }
      });
  }

  /**
   * Forgets the delivery of an execution that was never admitted.
   */
  private void drop(String id) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.dropped.tryComplete();
      vertx.cancelTimer(p.timer);
    }
  }

  /**
   * @return the body to deliver, once the execution (every execution of the batch) is final
   */
  private Future<Buffer> payload(Pending p) {
    if (!p.request.batch()) {
      Future<ExecutionResult> result = waiter.follow(p.request.id(), p.dropped.future()).compose(executions::full);
      if (p.request.judge0()) {
        // Judge0 PUTs the submission as its serializer writes it, Base64, with its default fields
        return judge0 == null ? Future.failedFuture("the Judge0 API is not served here")
          : result.compose(r -> judge0.render(vertx, r));
      }
      return result.map(record -> record.toJson().toBuffer());
    }
    return batches.require(p.request.id()).compose(batch -> {
      List<Future<?>> finals = new ArrayList<>();
      for (String id : batch.executionIds()) {
        finals.add(waiter.follow(id, p.dropped.future()));
      }
      return Future.all(finals).compose(v -> views.view(batch, false)).map(JsonObject::toBuffer);
    });
  }

  private void attempt(Pending p, Buffer body, int attempt) {
    if (pending.get(p.request.id()) != p) {
      return;
    }
    HttpClientRequest[] sent = new HttpClientRequest[1];
    resolve(p.target.host())
      .compose(found -> {
        String refused = CallbackPolicy.refusal(p.target, found);
        if (refused != null) {
          return Future.failedFuture(new Refused(refused));
        }
        return send(p, body, found.get(0), sent);
      })
      .timeout(webhooks.getTimeoutMs(), TimeUnit.MILLISECONDS)
      .onComplete(ar -> {
        if (ar.failed() && sent[0] != null) {
          sent[0].reset();
        }
        Integer status = ar.succeeded() ? ar.result() : null;
        boolean delivered = status != null && status >= 200 && status < 300;
        boolean redirect = status != null && status >= 300 && status < 400;
        boolean refused = ar.failed() && ar.cause() instanceof Refused;
        boolean last = delivered || redirect || refused || attempt >= webhooks.getMaxAttempts();
        String error = ar.failed() ? String.valueOf(ar.cause().getMessage())
          : redirect ? "the receiver redirected (" + status + "); redirects are not followed" : null;
        batches.putCallback(p.request.id(), new CallbackState(attempt, status, delivered, error));
        if (last) {
          pending.remove(p.request.id(), p);
          if (delivered) {
            this.delivered++;
          } else {
            failed++;
            log.info("[{}] webhook not delivered after {} attempt(s): {}", p.request.id(), attempt,
              error != null ? error : "status " + status);
          }
          return;
        }
        long delay = Backoff.delayMs(webhooks.getRetryDelayMs(), webhooks.getRetryMaxDelayMs(), attempt,
          ThreadLocalRandom.current().nextDouble());
        p.timer = vertx.setTimer(delay, t -> attempt(p, body, attempt + 1));
      });
  }

  /** A delivery the policy refuses at the moment it is made: never retried. */
  private static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private Future<List<InetAddress>> resolve(String host) {
    return resolver.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false);
  }

  /**
   * POSTs the body (PUTs a Judge0 submission's) to the address that was checked, naming the URL's host (Host header, TLS server name).
   *
   * @return the receiver's status
   */
  private Future<Integer> send(Pending p, Buffer body, InetAddress address, HttpClientRequest[] sent) {
    long now = System.currentTimeMillis() / 1000;
    String secret = policy.secretFor(p.request.owner());
    RequestOptions request = new RequestOptions()
      .setMethod(p.request.judge0() ? HttpMethod.PUT : HttpMethod.POST)
      .setServer(SocketAddress.inetSocketAddress(p.target.port(), address.getHostAddress()))
      .setHost(p.target.host())
      .setPort(p.target.port())
      .setSsl(p.target.https())
      .setURI(p.target.requestUri())
      .setFollowRedirects(false)
      .putHeader("content-type", "application/json")
      .putHeader("user-agent", USER_AGENT)
      .putHeader("execgate-event", p.request.event())
      .putHeader("execgate-delivery", p.deliveryId)
      .putHeader("execgate-signature", WebhookSigner.header(secret, now, body.getBytes()));
    return client.request(request).compose(req -> {
      sent[0] = req;
      return req.send(body);
    }).map(response -> {
      // the status is all that counts: the connection is not kept, whatever the receiver sends after it
      response.request().connection().close();
      return response.statusCode();
    });
  }

  @Override
  public Future<?> stop() {
    // pending deliveries are not kept: a gateway that stops loses them (the README says so)
    pending.values().forEach(p -> {
      vertx.cancelTimer(p.timer);
      p.dropped.tryComplete();
    });
    pending.clear();
    return client.close().eventually(() -> resolver.close());
  }
}
