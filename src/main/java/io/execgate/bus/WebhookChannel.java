package io.execgate.bus;

import io.execgate.model.CallbackRequest;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * The webhook verticle's protocol, typed: each operation's address, what it carries and how long its
 * answer may take, in one place. Senders use this rather than addresses.
 */
public final class WebhookChannel {

  /** How long this node's webhook verticle may take to take a delivery. */
  public static final long WATCH_TIMEOUT_MS = 5_000;

  private final EventBus bus;
  private final Addresses addresses;

  public WebhookChannel(EventBus bus, Addresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  /**
   * Hands a delivery to this node's webhook verticle, to make once its execution or batch is final.
   *
   * @return when the verticle took it
   */
  public Future<Void> watch(CallbackRequest request) {
    return bus.request(addresses.webhookWatch(), request, new DeliveryOptions().setSendTimeout(WATCH_TIMEOUT_MS))
      .mapEmpty();
  }

  /**
   * Tells this node's webhook verticle to forget the delivery of {@code id} (it was not admitted).
   */
  public void drop(String id) {
    bus.send(addresses.webhookDrop(), id);
  }
}
