package io.execgate.bus;

import io.execgate.model.PoolKey;
import io.execgate.model.PoolState;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * The warm pool's protocol, typed: each operation's address, what it carries each way and how long
 * its answer may take, in one place. Senders use this rather than addresses and casts.
 */
public final class PoolChannel {

  /** How long the pool may take to hand a warm container (it asks the scheduler for the last one). */
  public static final long TAKE_TIMEOUT_MS = 30_000;
  /** How long the pool may take to report its state. */
  public static final long STATE_TIMEOUT_MS = 5_000;

  private final EventBus bus;
  private final Addresses addresses;

  public PoolChannel(EventBus bus, Addresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  /**
   * Takes a warm container for one execution. Its streams are handed over by the pool's
   * {@code WarmStreams}, by container id.
   *
   * @param imageId the image id the execution's image check gave: only a container created from it is handed
   * @return the container's id, or {@code null} when none fits (the execution starts cold)
   */
  public Future<String> take(PoolKey key, String imageId, String executionId) {
    return bus.<String>request(addresses.poolTake(), key, new DeliveryOptions().setSendTimeout(TAKE_TIMEOUT_MS)
      .addHeader(Headers.IMAGE_ID, imageId)
      .addHeader(Headers.EXECUTION, executionId)).map(Message::body);
  }

  /**
   * @return the warm pools' state
   */
  public Future<PoolState> state() {
    return bus.<PoolState>request(addresses.poolState(), null, new DeliveryOptions().setSendTimeout(STATE_TIMEOUT_MS))
      .map(Message::body);
  }
}
