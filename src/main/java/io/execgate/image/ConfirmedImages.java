package io.execgate.image;

import io.execgate.model.ImageInfo;
import io.execgate.model.ImageState;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the image cache of one node confirmed usable a moment ago, readable from any thread: an
 * execution whose image the cache would answer from memory (confirmed within
 * {@value #CONFIRMED_TTL_MS} ms, nothing under way for it) takes the answer here instead of asking
 * the cache over the bus. Only the {@link ImageCache} writes it, on its event loop; the composition
 * root hands the same instance to the node's executors.
 */
public final class ConfirmedImages {

  /** How long the engine's confirmation that an image is present is trusted without asking again. */
  static final long CONFIRMED_TTL_MS = 5_000;

  private record Confirmed(ImageInfo info, long at) {
  }

  private final ConcurrentMap<String, Confirmed> confirmed = new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();

  /**
   * @param image the image as the execution names it
   * @return the image's usable state (its local name and checked id), when the cache confirmed it
   *   within {@value #CONFIRMED_TTL_MS} ms and nothing changed since; else {@code null}, and the
   *   execution asks the cache
   */
  public ImageInfo fresh(String image) {
    Confirmed c = confirmed.get(image);
    if (c == null || System.currentTimeMillis() - c.at >= CONFIRMED_TTL_MS) {
      return null;
    }
    hits.incrementAndGet();
    return c.info;
  }

  void confirmed(ImageInfo info, long at) {
    if (info.state() == ImageState.PRESENT && info.id() != null) {
      confirmed.put(info.image(), new Confirmed(info, at));
    }
  }

  void forget(String image) {
    confirmed.remove(image);
  }

  /**
   * @return the executions answered here, which the cache's statistics count as cache hits
   */
  long hits() {
    return hits.get();
  }
}
