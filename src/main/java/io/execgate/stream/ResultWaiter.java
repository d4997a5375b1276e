package io.execgate.stream;

import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.Headers;
import io.execgate.bus.SchedulerChannel;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.execgate.model.Frame;
import io.execgate.store.ExecutionStore;
import io.execgate.store.StoredRecord;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * Submits executions to the scheduler and, for clients that wait, follows one to its final result:
 * the frames on its output address tell when it is final (the store is read once then, for the
 * texts). The store is read otherwise only after {@value #SILENCE_MS} ms without a frame, which covers
 * a frame lost on the way and a program that writes nothing for long; while frames arrive, it is not.
 * Used by every API that answers with a result.
 */
public final class ResultWaiter {

  /** Without a frame for this long, the waiter reads the store in case the terminal frame was lost. */
  private static final long SILENCE_MS = 5_000;

  private final Vertx vertx;
  private final Addresses addresses;
  private final ExecutionStore store;

  public ResultWaiter(Vertx vertx, Addresses addresses, ExecutionStore store) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.store = store;
  }

  /**
   * Hands {@code job} to the scheduler, owned by {@code principal}.
   *
   * @return its admission, or fails (429 when the queue is full)
   */
  public Future<Admission> admit(ExecutionJob job, Principal principal) {
    return admit(job, principal, null);
  }

  /**
   * Hands {@code job} to the scheduler, owned by {@code principal}, in the places of a reservation.
   *
   * @param reservation the reservation ({@link #reserve}) whose place it takes, or {@code null}
   * @return its admission, or fails (429 when the queue is full)
   */
  public Future<Admission> admit(ExecutionJob job, Principal principal, String reservation) {
    GatewayException refused = refusal(job, principal);
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    DeliveryOptions delivery = owner(principal);
    if (reservation != null) {
      delivery.addHeader(Headers.RESERVATION, reservation);
    }
    return new SchedulerChannel(vertx.eventBus(), addresses).admit(job.withOwner(principal.id()), delivery);
  }

  /**
   * Holds {@code count} queue places of {@code principal}'s quota and of the node's queue, all or none.
   *
   * @return the reservation's id; fails with the scheduler's refusal
   */
  public Future<String> reserve(int count, Principal principal) {
    return new SchedulerChannel(vertx.eventBus(), addresses).reserve(count, owner(principal));
  }

  /**
   * @return why {@code principal} may not run {@code job} (its key's runtimes and images), or {@code null}
   */
  public static GatewayException refusal(ExecutionJob job, Principal principal) {
    if (!principal.mayUseRuntime(job.runtime().name())) {
      return new GatewayException(ErrorCode.FORBIDDEN, "key '" + principal.id()
        + "' may not use runtime " + job.runtime().name(), "language");
    }
    if (!principal.mayUseImage(job.image())) {
      return new GatewayException(ErrorCode.FORBIDDEN, "key '" + principal.id()
        + "' may not use image " + job.image(), "image");
    }
    return null;
  }

  private static DeliveryOptions owner(Principal principal) {
    DeliveryOptions delivery = new DeliveryOptions().addHeader(Headers.OWNER, principal.id());
    if (principal.maxConcurrent() > 0) {
      delivery.addHeader(Headers.OWNER_MAX, String.valueOf(principal.maxConcurrent()));
    }
    // the record carries its owner from its first write on: no other key ever sees it
    if (principal.weight() > 0) {
      delivery.addHeader(Headers.OWNER_WEIGHT, String.valueOf(principal.weight()));
    }
    return delivery;
  }

  /**
   * Follows an execution submitted earlier until it is final (an idempotent retry of a submit).
   *
   * @param abandoned completes when the client goes away: the waiting stops and the returned future
   *                  fails; {@code null} when the client never goes away
   */
  public Future<StoredRecord> follow(String id, Future<?> abandoned) {
    Wait wait = new Wait(id, null);
    onAbandon(abandoned, wait);
    return wait.subscribe()
      .compose(v -> {
        wait.check();
        return wait.promise.future();
      })
      .onFailure(err -> wait.stop());
  }

  /**
   * Submits {@code job} and follows it until it is final. If {@code abandoned} completes first, the
   * waiting stops (the execution itself runs on) and the future fails.
   *
   * @param abandoned completes when the client goes away, or {@code null}
   * @param frames    sees every frame of the execution, in order, or {@code null}
   * @return the final record (its texts are read from the store as they are sent)
   */
  public Future<StoredRecord> submitAndWait(ExecutionJob job, Principal principal, Future<?> abandoned,
                                                Handler<Frame> frames) {
    Wait wait = new Wait(job.id(), frames);
    onAbandon(abandoned, wait);
    return wait.subscribe()
      .compose(v -> admit(job, principal))
      .compose(admission -> wait.promise.future())
      .onFailure(err -> wait.stop());
  }

  private static void onAbandon(Future<?> abandoned, Wait wait) {
    if (abandoned != null) {
      abandoned.onComplete(ar -> wait.abandon());
    }
  }

  private final class Wait {

    private final String id;
    private final Handler<Frame> frames;
    private final Promise<StoredRecord> promise = Promise.promise();
    private MessageConsumer<Frame> consumer;
    private long poll = -1;
    /** When the last frame arrived (or the wait began). */
    private long lastFrame = System.currentTimeMillis();

    Wait(String id, Handler<Frame> frames) {
      this.id = id;
      this.frames = frames;
    }

    Future<Void> subscribe() {
      consumer = vertx.eventBus().consumer(addresses.output(id), msg -> {
        lastFrame = System.currentTimeMillis();
        if (frames != null && !promise.future().isComplete()) {
          frames.handle(msg.body());
        }
        if (msg.body().isTerminal()) {
          check();
        }
      });
      poll = vertx.setPeriodic(SILENCE_MS, t -> {
        if (System.currentTimeMillis() - lastFrame >= SILENCE_MS) {
          check();
        }
      });
      return consumer.completion();
    }

    void check() {
      if (promise.future().isComplete()) {
        return;
      }
      store.record(id).onSuccess(record -> {
        if (record != null && record.result().status().isFinal() && promise.tryComplete(record)) {
          stop();
        }
      });
    }

    void abandon() {
      promise.tryFail(new GatewayException(ErrorCode.INVALID_REQUEST, "the client went away"));
      stop();
    }

    void stop() {
      if (poll >= 0) {
        vertx.cancelTimer(poll);
        poll = -1;
      }
      if (consumer != null) {
        consumer.unregister();
        consumer = null;
      }
    }
  }
}
