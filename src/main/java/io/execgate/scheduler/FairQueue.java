package io.execgate.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The executions waiting for a run slot, in the order they get one. In fair order a free slot goes to
 * the owner (API key) that holds the fewest slots for its weight, so that keys converge to shares of
 * the slots in proportion to their weights whatever they queued or how long their programs run; among
 * owners that hold equally many, to the one whose turn comes first in start-time fair queueing (an
 * entry's tag is {@code max(virtual time, its owner's last finish)}, its owner's finish then advances
 * by {@code 1 / weight}): they take turns, and a key that arrives late starts at the current turn,
 * neither behind a flooder's whole queue nor with credit saved while it was idle. An owner's own
 * executions go in arrival order. FIFO order is plain arrival order. Not thread-safe: its verticle
 * owns it.
 *
 * @param <T> what waits (the slot request to answer)
 */
final class FairQueue<T> {

  /**
   * @param maxConcurrent the node's run slots
   * @param maxKeyShare   the largest share of them one API key holds at once
   * @return the run slots one API key may hold at once on this node: at least one
   */
  static int slotsPerKey(int maxConcurrent, double maxKeyShare) {
    return Math.max(1, (int) Math.floor(maxConcurrent * maxKeyShare + 1e-9));
  }

  /**
   * One waiting execution.
   */
  static final class Entry<T> {
    final String id;
    final String owner;
    final T value;
    final double tag;
    final long seq;

    private Entry(String id, String owner, T value, double tag, long seq) {
      this.id = id;
      this.owner = owner;
      this.value = value;
      this.tag = tag;
      this.seq = seq;
    }
  }

  private static final class Owner<T> {
    final ArrayDeque<Entry<T>> waiting = new ArrayDeque<>();
    double finish;
    int weight = 1;
  }

  private final boolean fair;
  private final Map<String, Owner<T>> owners = new HashMap<>();
  private final Map<String, Entry<T>> byId = new HashMap<>();
  private double virtualTime;
  private long seq;

  /**
   * @param fair fair order across owners; false: arrival order
   */
  FairQueue(boolean fair) {
    this.fair = fair;
  }

  /**
   * Adds {@code id} behind what its owner already has waiting.
   *
   * @param weight the owner's weight, at least 1
   */
  void add(String id, String owner, int weight, T value) {
    Owner<T> o = owners.computeIfAbsent(owner, k -> new Owner<>());
    o.weight = Math.max(1, weight);
    double tag = Math.max(virtualTime, o.finish);
    o.finish = tag + 1.0 / o.weight;
    Entry<T> e = new Entry<>(id, owner, value, tag, seq++);
    o.waiting.addLast(e);
    byId.put(id, e);
  }

  /**
   * @return whether {@code id} waits
   */
  boolean contains(String id) {
    return byId.containsKey(id);
  }

  /**
   * Takes {@code id} out of the queue (it left it).
   *
   * @return what waited, or {@code null}
   */
  T remove(String id) {
    Entry<T> e = byId.remove(id);
    if (e == null) {
      return null;
    }
    Owner<T> o = owners.get(e.owner);
    o.waiting.remove(e);
    if (byId.isEmpty()) {
      // the end of a busy period: every turn given is behind us, nobody keeps credit or debt
      for (Owner<T> other : owners.values()) {
        virtualTime = Math.max(virtualTime, other.finish);
      }
      owners.clear();
    } else if (o.waiting.isEmpty() && o.finish <= virtualTime) {
      owners.remove(e.owner);
    }
    return e.value;
  }

  /**
   * Takes the first entry, in order, whose owner may have a slot now.
   *
   * @param eligible whether an owner may take a slot (one at its share of the slots may not), asked
   *                 with the owner's first entry
   * @param running  the slots each owner holds
   * @return that entry, or {@code null} when none may
   */
  Entry<T> poll(Predicate<Entry<T>> eligible, ToIntFunction<String> running) {
    Entry<T> first = null;
    double firstUse = 0;
    for (Owner<T> o : owners.values()) {
      Entry<T> head = o.waiting.peekFirst();
      if (head == null || !eligible.test(head)) {
        continue;
      }
      double use = (double) running.applyAsInt(head.owner) / o.weight;
      if (first == null || before(head, use, first, firstUse)) {
        first = head;
        firstUse = use;
      }
    }
    if (first == null) {
      return null;
    }
    virtualTime = Math.max(virtualTime, first.tag);
    remove(first.id);
    owners.entrySet().removeIf(o -> o.getValue().waiting.isEmpty() && o.getValue().finish <= virtualTime);
    return first;
  }

  private boolean before(Entry<T> a, double aUse, Entry<T> b, double bUse) {
    if (!fair) {
      return a.seq < b.seq;
    }
    if (aUse != bUse) {
      return aUse < bUse;
    }
    return a.tag != b.tag ? a.tag < b.tag : a.seq < b.seq;
  }

  /**
   * @return the entries ahead of {@code id} in the order they would get slots if nothing else
   *   changed, or -1 when it does not wait
   */
  int position(String id, ToIntFunction<String> running) {
    Entry<T> e = byId.get(id);
    if (e == null) {
      return -1;
    }
    List<Entry<T>> order = order(running, null, 0, 0);
    return order.indexOf(e);
  }

  /**
   * @param queuedBefore entries of {@code owner} that will join the queue before this one
   * @return the entries that would be ahead of a new entry of {@code owner} queued now
   */
  int projectedPosition(String owner, int weight, int queuedBefore, ToIntFunction<String> running) {
    List<Entry<T>> order = order(running, owner, Math.max(1, weight), queuedBefore + 1);
    for (int i = order.size() - 1; i >= 0; i--) {
      if (order.get(i).id == null) {
        return i;
      }
    }
    return order.size();
  }

  /**
   * Plays the order out: every step gives a slot to the entry {@link #poll} would take, counting it
   * as held by its owner; {@code phantoms} entries of {@code owner} (id {@code null}) join behind its own.
   */
  private List<Entry<T>> order(ToIntFunction<String> running, String owner, int weight, int phantoms) {
    Map<String, Iterator<Entry<T>>> queues = new HashMap<>();
    Map<String, Entry<T>> heads = new HashMap<>();
    Map<String, Integer> held = new HashMap<>();
    Map<String, Integer> weights = new HashMap<>();
    for (Map.Entry<String, Owner<T>> o : owners.entrySet()) {
      List<Entry<T>> entries = new ArrayList<>(o.getValue().waiting);
      if (o.getKey().equals(owner)) {
        addPhantoms(entries, owner, weight, o.getValue().finish, phantoms);
      }
      queues.put(o.getKey(), entries.iterator());
      weights.put(o.getKey(), o.getValue().weight);
    }
    if (owner != null && !owners.containsKey(owner)) {
      List<Entry<T>> entries = new ArrayList<>();
      addPhantoms(entries, owner, weight, 0, phantoms);
      queues.put(owner, entries.iterator());
      weights.put(owner, weight);
    }
    queues.forEach((k, it) -> {
      if (it.hasNext()) {
        heads.put(k, it.next());
      }
      held.put(k, running.applyAsInt(k));
    });
    List<Entry<T>> order = new ArrayList<>(byId.size() + phantoms);
    while (!heads.isEmpty()) {
      Entry<T> first = null;
      double firstUse = 0;
      for (Entry<T> head : heads.values()) {
        double use = (double) held.get(head.owner) / weights.get(head.owner);
        if (first == null || before(head, use, first, firstUse)) {
          first = head;
          firstUse = use;
        }
      }
      order.add(first);
      held.merge(first.owner, 1, Integer::sum);
      Iterator<Entry<T>> it = queues.get(first.owner);
      if (it.hasNext()) {
        heads.put(first.owner, it.next());
      } else {
        heads.remove(first.owner);
      }
    }
    return order;
  }

  private void addPhantoms(List<Entry<T>> entries, String owner, int weight, double finish, int phantoms) {
    double tag = Math.max(virtualTime, finish);
    for (int i = 0; i < phantoms; i++) {
      entries.add(new Entry<>(null, owner, null, tag, seq + i));
      tag += 1.0 / weight;
    }
  }

  /**
   * @return the entries of {@code owner} waiting
   */
  int waiting(String owner) {
    Owner<T> o = owners.get(owner);
    return o == null ? 0 : o.waiting.size();
  }

  int size() {
    return byId.size();
  }

  boolean isEmpty() {
    return byId.isEmpty();
  }

  /**
   * @return how many owners the queue remembers (those waiting, and those whose last turn is still ahead
   *   of the virtual time)
   */
  int owners() {
    return owners.size();
  }
}
