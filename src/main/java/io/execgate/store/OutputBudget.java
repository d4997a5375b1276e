package io.execgate.store;

import io.execgate.config.OutputRetentionOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The output held by the records one node writes, against a budget for the node and one per API
 * key. A running execution reserves as its text arrives; once its record is written, the text is a
 * stored entry, which may be evicted to make room: a key over its budget loses its own oldest
 * records' output first, and a full node takes from the key that holds the most, oldest first. A
 * reservation that no eviction can make room for is refused, and that execution's record keeps no
 * output; both outcomes are written in the records. Shared by the node's executor instances, so
 * every method is synchronized; evictions run outside the lock.
 */
public final class OutputBudget {

  /** What an eviction does: rewrite the record without its output. */
  interface Eviction {
    void evict();
  }

  /** Reservations grow by at least this much, so that a flood of tiny texts is not a flood of calls. */
  static final long BLOCK_BYTES = 64 * 1024;

  private final long maxBytes;
  private final long maxBytesPerKey;
  private final LongSupplier clock;
  /** Stored entries, oldest first. */
  private final LinkedHashMap<String, Entry> stored = new LinkedHashMap<>();
  private final Map<String, KeyUse> keys = new HashMap<>();
  private long used;
  private long evictions;

  OutputBudget(long maxBytes, long maxBytesPerKey, LongSupplier clock) {
    this.maxBytes = maxBytes;
    this.maxBytesPerKey = maxBytesPerKey;
    this.clock = clock;
  }

  public static OutputBudget of(OutputRetentionOptions options) {
    return new OutputBudget(options.getMaxBytes(), options.getMaxBytesPerKey(), System::currentTimeMillis);
  }

  private record Entry(String id, String key, long bytes, long expiresAt, Eviction eviction) {
  }

  /** What one key holds: running reservations and stored entries, oldest first. */
  private static final class KeyUse {
    long running;
    long storedBytes;
    final LinkedHashMap<String, Entry> stored = new LinkedHashMap<>();

    long used() {
      return running + storedBytes;
    }
  }

  /**
   * @return a reservation for one execution charged to {@code key}
   */
  public Reservation open(String key) {
    return new Reservation(key);
  }

  synchronized long used() {
    return used;
  }

  synchronized long used(String key) {
    KeyUse k = keys.get(key);
    return k == null ? 0 : k.used();
  }

  synchronized long evictions() {
    return evictions;
  }

  synchronized int storedEntries() {
    return stored.size();
  }

  private boolean reserve(String key, long bytes, boolean force) {
    List<Eviction> evicted = new ArrayList<>();
    boolean granted;
    synchronized (this) {
      expire();
      KeyUse k = keys.computeIfAbsent(key, x -> new KeyUse());
      while (k.used() + bytes > maxBytesPerKey && !k.stored.isEmpty()) {
        evicted.add(evict(k.stored.values().iterator().next()));
      }
      while (used + bytes > maxBytes) {
        KeyUse heaviest = heaviestWithStored();
        if (heaviest == null) {
          break;
        }
        evicted.add(evict(heaviest.stored.values().iterator().next()));
      }
      granted = force || (k.used() + bytes <= maxBytesPerKey && used + bytes <= maxBytes);
      if (granted) {
        k.running += bytes;
        used += bytes;
      } else if (k.used() == 0) {
        keys.remove(key);
      }
    }
    evicted.forEach(Eviction::evict);
    return granted;
  }

  private synchronized void release(String key, long bytes) {
    KeyUse k = keys.get(key);
    if (k == null || bytes == 0) {
      return;
    }
    k.running -= bytes;
    used -= bytes;
    if (k.used() == 0) {
      keys.remove(key);
    }
  }

  private synchronized void store(String key, long reserved, String id, long bytes, long expiresAt, Eviction eviction) {
    release(key, reserved);
    if (bytes <= 0) {
      return;
    }
    Entry e = new Entry(id, key, bytes, expiresAt, eviction);
    stored.put(id, e);
    KeyUse k = keys.computeIfAbsent(key, x -> new KeyUse());
    k.stored.put(id, e);
    k.storedBytes += bytes;
    used += bytes;
  }

  private KeyUse heaviestWithStored() {
    KeyUse heaviest = null;
    for (KeyUse k : keys.values()) {
      if (!k.stored.isEmpty() && (heaviest == null || k.used() > heaviest.used())) {
        heaviest = k;
      }
    }
    return heaviest;
  }

  private Eviction evict(Entry e) {
    forget(e);
    evictions++;
    return e.eviction();
  }

  private void forget(Entry e) {
    stored.remove(e.id());
    KeyUse k = keys.get(e.key());
    k.stored.remove(e.id());
    k.storedBytes -= e.bytes();
    used -= e.bytes();
    if (k.used() == 0) {
      keys.remove(e.key());
    }
  }

  /** Entries whose records expired are gone from the store: they no longer count. */
  private void expire() {
    long now = clock.getAsLong();
    Iterator<Entry> oldest = stored.values().iterator();
    List<Entry> expired = new ArrayList<>();
    while (oldest.hasNext()) {
      Entry e = oldest.next();
      if (e.expiresAt() > now) {
        break;
      }
      expired.add(e);
    }
    expired.forEach(this::forget);
  }

  /**
   * What one execution holds, from its first text until its record is stored (or it gives up).
   * Used on the execution's context only.
   */
  final class Reservation {

    private final String key;
    private long reserved;
    private long taken;
    private boolean closed;

    private Reservation(String key) {
      this.key = key;
    }

    /**
     * Takes {@code bytes} more; the first block is always granted (a small output is always kept).
     *
     * @return whether they fit; if not, the execution's record keeps no output: call {@link #release()}
     */
    boolean take(long bytes) {
      if (closed) {
        return false;
      }
      if (taken + bytes > reserved) {
        long more = Math.max(BLOCK_BYTES, taken + bytes - reserved);
        if (!reserve(key, more, reserved == 0)) {
          return false;
        }
        reserved += more;
      }
      taken += bytes;
      return true;
    }

    /**
     * @return the bytes taken so far
     */
    long taken() {
      return taken;
    }

    /**
     * Gives everything back: the execution's record holds no output (or the run failed).
     */
    void release() {
      if (!closed) {
        closed = true;
        OutputBudget.this.release(key, reserved);
      }
    }

    /**
     * The record is written: what it holds becomes an entry that may be evicted until it expires.
     *
     * @param bytes     what the record holds (its text and the overhead of its stored parts)
     * @param expiresAt when the record's output leaves the store by itself (epoch ms)
     * @param eviction  what removes the output from the record
     */
    void stored(String id, long bytes, long expiresAt, Eviction eviction) {
      if (!closed) {
        closed = true;
        store(key, reserved, id, bytes, expiresAt, eviction);
      }
    }
  }
}
