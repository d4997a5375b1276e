package io.execgate.docker;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a paused consumer costs: the engine's reader blocks once the pending chunks take the high-water
 * mark of heap (not of payload) or {@link AttachedOutput#MAX_CHUNKS} chunks, whatever the program
 * writes, and everything queued is delivered in order once the consumer reads again.
 */
class AttachedOutputTest {

  private static final long HIGH_WATER = 256 * 1024;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /**
   * Pushes from a reader thread until it blocks (or {@code max} pushes), as the engine's reader does.
   */
  private static final class Reader {
    final AtomicInteger pushed = new AtomicInteger();
    final Thread thread;
    final CountDownLatch done = new CountDownLatch(1);

    Reader(AttachedOutput out, int max, int len, boolean alternate) {
      byte[] data = new byte[len];
      thread = new Thread(() -> {
        try {
          for (int i = 0; i < max; i++) {
            out.push(alternate && i % 2 == 1, data, 0, len);
            pushed.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      });
      thread.start();
    }

    /**
     * Waits until the reader is parked in a push and has pushed nothing for 100 ms (or has ended, or
     * 10 s passed), and returns how many pushes got through. Waiting for the parked state, not only for
     * a quiet count, keeps a reader thread that starts late from reading as one blocked at once.
     */
    int blockedAfter() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int last = -1;
      while (true) {
        int now = pushed.get();
        Thread.State state = thread.getState();
        boolean parked = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
          || state == Thread.State.BLOCKED;
        if ((now == last && parked) || done.getCount() == 0 || System.nanoTime() > deadline) {
          return now;
        }
        last = now;
        Thread.sleep(100);
      }
    }
  }

  @Test
  void aProgramAlternatingOneByteWritesIsBlockedByTheHeapItsChunksTakeNotByTheirPayload() throws Exception {
    AttachedOutput out = new AttachedOutput(vertx.getOrCreateContext(), HIGH_WATER);
    out.pause();
    Reader reader = new Reader(out, 1_000_000, 1, true);
    int pushed = reader.blockedAfter();
    assertThat(reader.done.getCount()).as("the reader is blocked").isEqualTo(1);
    // each byte is a chunk of its own, 320 bytes of heap: about 800 of them fill 256 KiB; before, it took 262,144
    assertThat(pushed).isLessThanOrEqualTo(AttachedOutput.MAX_CHUNKS).isGreaterThan(100);
    assertThat(out.bufferedBytes()).isLessThan(HIGH_WATER + 1024).isGreaterThanOrEqualTo(HIGH_WATER);
    out.close();
    assertThat(reader.done.await(5, TimeUnit.SECONDS)).as("close unblocks the reader").isTrue();
  }

  @Test
  void theChunkCountIsCappedWhateverTheHighWaterMark() throws Exception {
    AttachedOutput out = new AttachedOutput(vertx.getOrCreateContext(), 1L << 40);
    out.pause();
    Reader reader = new Reader(out, 1_000_000, 1, true);
    assertThat(reader.blockedAfter()).isEqualTo(AttachedOutput.MAX_CHUNKS);
    out.close();
    assertThat(reader.done.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void adjacentBytesOfOneStreamShareAChunkThatGrowsWithThem() throws Exception {
    AttachedOutput out = new AttachedOutput(vertx.getOrCreateContext(), HIGH_WATER);
    out.pause();
    Reader reader = new Reader(out, 1_000_000, 100, false);
    int pushed = reader.blockedAfter();
    // 64 KiB chunks: the payload fills the mark, give or take a chunk
    assertThat((long) pushed * 100).isBetween(HIGH_WATER - AttachedOutput.MAX_CHUNK, HIGH_WATER + AttachedOutput.MAX_CHUNK);
    out.close();
    assertThat(reader.done.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void everythingQueuedIsDeliveredInOrderOnceTheConsumerReads() throws Exception {
    AttachedOutput out = new AttachedOutput(vertx.getOrCreateContext(), 4096);
    List<String> got = new ArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    StringBuilder expected = new StringBuilder();
    vertx.runOnContext(v -> out.handler(c -> {
      synchronized (got) {
        got.add((c.stderr() ? "e:" : "o:") + new String(c.bytes()));
      }
    }).endHandler(e -> ended.countDown()).pause());
    Thread.sleep(100);
    Thread pusher = new Thread(() -> {
      try {
        for (int i = 0; i < 2000; i++) {
          out.push(i % 3 == 0, new byte[]{(byte) ('a' + i % 26)}, 0, 1);
        }
        out.end(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 2000; i++) {
      expected.append(i % 3 == 0 ? 'E' : 'O').append((char) ('a' + i % 26));
    }
    pusher.start();
    Thread.sleep(300);
    assertThat(pusher.isAlive()).as("blocked by the paused consumer").isTrue();
    out.resume();
    assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
    StringBuilder actual = new StringBuilder();
    synchronized (got) {
      for (String chunk : got) {
        char tag = chunk.charAt(0) == 'e' ? 'E' : 'O';
        for (char c : chunk.substring(2).toCharArray()) {
          actual.append(tag).append(c);
        }
      }
    }
    assertThat(actual.toString()).isEqualTo(expected.toString());
  }
}
