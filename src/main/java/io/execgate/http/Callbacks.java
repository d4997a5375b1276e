package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.WebhookChannel;
import io.execgate.model.CallbackRequest;
import io.execgate.webhook.CallbackPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * The HTTP API's side of completion webhooks: checks a {@code callbackUrl} against the policy, hands
 * it to this node's webhook verticle before the execution (or batch) is admitted, and takes it back
 * when the admission fails, so that a refused submit leaves no delivery behind.
 */
final class Callbacks {

  private final WebhookChannel webhooks;
  private final CallbackPolicy policy;

  Callbacks(Vertx vertx, GatewayOptions options) {
    this.webhooks = new WebhookChannel(vertx.eventBus(), new Addresses(options.getAddressPrefix()));
    this.policy = new CallbackPolicy(options);
  }

  /**
   * Checks {@code url} for {@code principal}: throws the refusal (400, 403 callback_not_allowed).
   *
   * @param field the request field it came in
   */
  void check(String url, Principal principal, String field) {
    if (url != null) {
      policy.check(url, principal.id(), field);
    }
  }

  /**
   * Runs {@code admission} with a webhook for {@code id} registered first (when {@code url} is not
   * {@code null}); forgets the webhook when the admission fails.
   *
   * @param batch whether {@code id} is a batch
   */
  <T> Future<T> around(String url, boolean batch, String id, Principal principal, Supplier<Future<T>> admission) {
    return around(url, batch, false, id, principal, admission);
  }

  /**
   * @param judge0 whether the delivery is Judge0's (a PUT of the submission, {@code callback_url})
   */
  <T> Future<T> around(String url, boolean batch, boolean judge0, String id, Principal principal,
                       Supplier<Future<T>> admission) {
    if (url == null) {
      return admission.get();
    }
    try {
      policy.check(url, principal.id(), judge0 ? Judge0Request.CALLBACK_FIELD : CallbackPolicy.FIELD);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return webhooks.watch(new CallbackRequest(batch, id, url, principal.id(), judge0))
      .compose(v -> admission.get())
      .onFailure(err -> drop(id));
  }

  /**
   * Forgets the webhook of {@code id} (its admission failed, or its batch was refused).
   */
  void drop(String id) {
    webhooks.drop(id);
  }
}
