package io.execgate.cluster;

import io.execgate.model.WorkerAdvert;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A gateway's view of the cluster's workers, built from their adverts, and the choice of a worker
 * for an execution. An advert is up to {@value WorkerAgentVerticle#MIN_GAP_MS} ms plus a bus hop old
 * when it arrives; what this gateway dispatched since (in flight, or admitted after the advert was
 * built) is added to it, so that a burst of submits spreads over the workers instead of piling on the
 * one that looked freest. Other gateways' dispatches show in the next advert. Pure logic, on the
 * dispatcher's context.
 */
final class WorkerDirectory {

  /** One worker as this gateway sees it. */
  static final class Worker {
    WorkerAdvert advert;
    long receivedAt;
    int inflight;
    /** Admissions not yet counted by an advert: the advert seq each was answered at. */
    final ArrayDeque<Long> unadvertised = new ArrayDeque<>();
    long lastChosen;
    /** Whether the gateway last said this worker takes work, for logging changes. */
    boolean announcedUsable;

    Worker(WorkerAdvert advert, long receivedAt) {
      this.advert = advert;
      this.receivedAt = receivedAt;
    }

    /**
     * @return admitted executions, including this gateway's not yet advertised ones
     */
    int load() {
      return advert.admitted() + inflight + unadvertised.size();
    }

    int free() {
      return advert.maxConcurrent() - load();
    }

    int room() {
      return advert.maxConcurrent() + advert.maxQueued() - load();
    }

    boolean has(String image) {
      return advert.images().contains(image);
    }
  }

  private final long staleMs;
  private final boolean preferImage;
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  private long choices;

  /**
   * @param staleMs     a worker whose last advert is older than this is not dispatched to
   * @param preferImage whether a worker that has the image goes before one that would pull it
   */
  WorkerDirectory(long staleMs, boolean preferImage) {
    this.staleMs = staleMs;
    this.preferImage = preferImage;
  }

  /**
   * Takes an advert; older ones than the last of the same worker are ignored.
   *
   * @return whether the worker is new to this view
   */
  boolean update(WorkerAdvert advert, long now) {
    Worker w = workers.get(advert.nodeId());
    if (w == null) {
      workers.put(advert.nodeId(), new Worker(advert, now));
      return true;
    }
    if (advert.seq() > w.advert.seq()) {
      w.advert = advert;
      w.receivedAt = now;
      w.unadvertised.removeIf(s -> s < advert.seq());
    }
    return false;
  }

  Worker remove(String nodeId) {
    return workers.remove(nodeId);
  }

  Worker get(String nodeId) {
    return workers.get(nodeId);
  }

  Collection<Worker> all() {
    return workers.values();
  }

  /**
   * @return whether the worker may be given work: it advertised recently, is ready and not leaving
   */
  boolean usable(Worker w, long now) {
    return why(w, now) == null;
  }

  /**
   * @return why {@code w} gets no work, or {@code null} when it may
   */
  String why(Worker w, long now) {
    if (w.advert.leaving()) {
      return "it is shutting down";
    }
    if (!w.advert.ready()) {
      return "it is not ready: " + w.advert.readyMessage();
    }
    if (now - w.receivedAt > staleMs) {
      return "it has been silent for " + (now - w.receivedAt) + " ms";
    }
    return null;
  }

  /**
   * @return the usable workers with room for one more execution, best first: those with a free run
   *   slot (the one that has the image first, then the most free slots), then those that would queue
   *   it (the shortest queue first, the one that has the image first among equals: a pull is paid once,
   *   a queue by every execution in it); the one chosen longest ago breaks ties
   */
  List<Worker> candidates(String image, Set<String> exclude, long now) {
    List<Worker> out = new ArrayList<>();
    for (Worker w : workers.values()) {
      if (usable(w, now) && w.room() > 0 && !exclude.contains(w.advert.nodeId())) {
        out.add(w);
      }
    }
    out.sort(Comparator.<Worker>comparingInt(w -> w.free() > 0 ? 0 : 1)
      .thenComparingInt(w -> w.free() > 0 ? lacks(w, image) : -w.free())
      .thenComparingInt(w -> w.free() > 0 ? -w.free() : lacks(w, image))
      .thenComparingLong(w -> w.lastChosen));
    return out;
  }

  private int lacks(Worker w, String image) {
    return preferImage && !w.has(image) ? 1 : 0;
  }

  /**
   * An execution is being sent to {@code w}.
   */
  void sending(Worker w) {
    w.inflight++;
    w.lastChosen = ++choices;
  }

  /**
   * {@code w} answered.
   *
   * @param advertSeq when admitted, the seq of its last advert before the admission; else {@code null}
   */
  void answered(Worker w, Long advertSeq) {
    w.inflight = Math.max(0, w.inflight - 1);
    if (advertSeq != null && advertSeq >= w.advert.seq()) {
      w.unadvertised.add(advertSeq);
    }
  }
}
