package io.execgate.scheduler;

import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Queue places held for batches while their items are admitted: the scheduler counts them as admitted
 * in every check, and each admit that names a reservation takes one of its places without those checks
 * (the reservation passed them for all its items at once). A reservation not used up within
 * {@link #TTL_MS} gives its places back (its gateway failed midway). Not thread-safe: its verticle owns it.
 */
final class Reservations {

  /** A reservation not used up within this time gives its places back. */
  static final long TTL_MS = 60_000;

  private static final class Reservation {
    final String owner;
    int left;
    long timer;

    Reservation(String owner, int left) {
      this.owner = owner;
      this.left = left;
    }
  }

  private final Vertx vertx;
  private final Map<String, Reservation> byId = new HashMap<>();
  private final Map<String, Integer> perOwner = new HashMap<>();
  private int total;

  Reservations(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * @return the places held in all
   */
  int total() {
    return total;
  }

  /**
   * @return the places held for {@code owner}'s batches
   */
  int of(String owner) {
    return owner == null ? 0 : perOwner.getOrDefault(owner, 0);
  }

  /**
   * Holds {@code count} places for {@code owner} (checked by the caller).
   *
   * @return the reservation's id
   */
  String hold(String owner, int count) {
    String id = UUID.randomUUID().toString();
    Reservation r = new Reservation(owner, count);
    change(owner, count);
    r.timer = vertx.setTimer(TTL_MS, t -> {
      Reservation expired = byId.remove(id);
      if (expired != null) {
        change(expired.owner, -expired.left);
      }
    });
    byId.put(id, r);
    return id;
  }

  /**
   * Takes one place of reservation {@code id} for an admit of {@code owner}.
   *
   * @return whether it had one (else the admit is checked as any other)
   */
  boolean take(String id, String owner) {
    Reservation r = id == null ? null : byId.get(id);
    if (r == null || !Objects.equals(r.owner, owner)) {
      return false;
    }
    r.left--;
    change(r.owner, -1);
    if (r.left == 0) {
      vertx.cancelTimer(r.timer);
      byId.remove(id);
    }
    return true;
  }

  private void change(String owner, int count) {
    total += count;
    if (owner != null) {
      perOwner.merge(owner, count, (a, b) -> a + b == 0 ? null : a + b);
    }
  }
}
