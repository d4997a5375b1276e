package io.execgate.it;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frames one test client received, with their arrival times, however they came (WebSocket,
 * SSE, NDJSON). Written by the client's event loop, read by the test thread.
 */
final class Frames {

  private final List<JsonObject> frames = new ArrayList<>();
  private final List<Long> arrivals = new ArrayList<>();
  final CompletableFuture<Void> ended = new CompletableFuture<>();
  volatile WebSocket ws;
  volatile Short closeCode;
  volatile String closeReason;
  /** When set, stdout data is hashed instead of kept (large streams). */
  private final MessageDigest stdoutDigest;
  private long stdoutBytes;

  Frames(boolean hashStdout) {
    try {
      stdoutDigest = hashStdout ? MessageDigest.getInstance("SHA-256") : null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Frames() {
    this(false);
  }

  synchronized void add(JsonObject frame) {
    arrivals.add(System.nanoTime());
    if (stdoutDigest != null && "stdout".equals(frame.getString("type"))) {
      byte[] bytes = frame.getString("data").getBytes(StandardCharsets.UTF_8);
      stdoutDigest.update(bytes);
      stdoutBytes += bytes.length;
      frame = frame.copy().put("data", "");
    }
    frames.add(frame);
  }

  private volatile long endedAt;

  void closed(Short code, String reason) {
    closeCode = code;
    closeReason = reason;
    endedAt = System.nanoTime();
    ended.complete(null);
  }

  /**
   * @return when the stream ended (nanoTime)
   */
  long endedAt() {
    return endedAt;
  }

  synchronized List<JsonObject> all() {
    return new ArrayList<>(frames);
  }

  /**
   * @return the frames of the execution's sequence (without connection frames, seq -1)
   */
  synchronized List<JsonObject> sequence() {
    return frames.stream().filter(f -> f.getLong("seq") >= 0).toList();
  }

  synchronized String stdout() {
    StringBuilder sb = new StringBuilder();
    frames.stream().filter(f -> "stdout".equals(f.getString("type"))).forEach(f -> sb.append(f.getString("data")));
    return sb.toString();
  }

  synchronized String stdoutSha256() {
    return HexFormat.of().formatHex(stdoutDigest.digest());
  }

  synchronized long stdoutBytes() {
    return stdoutBytes;
  }

  /**
   * Waits for a frame that matches.
   *
   * @return the frame
   */
  JsonObject await(Predicate<JsonObject> match, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    for (;;) {
      // read before the scan: every frame added before the end is then seen by it
      boolean over = ended.isDone();
      synchronized (this) {
        for (JsonObject f : frames) {
          if (match.test(f)) {
            return f;
          }
        }
      }
      if (over || System.currentTimeMillis() >= deadline) {
        break;
      }
      Thread.sleep(10);
    }
    synchronized (this) {
      throw new AssertionError("no matching frame within " + timeoutMs + " ms; got " + frames + " close "
        + closeCode + " " + closeReason);
    }
  }

  JsonObject awaitType(String type, long timeoutMs) throws InterruptedException {
    return await(f -> type.equals(f.getString("type")), timeoutMs);
  }

  JsonObject awaitExit(long timeoutMs) throws InterruptedException {
    return awaitType("exit", timeoutMs);
  }

  void awaitEnd(long timeoutMs) throws Exception {
    ended.get(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /**
   * @return the arrival time (nanoTime) of the first frame that matches
   */
  synchronized long arrivalOf(Predicate<JsonObject> match) {
    for (int i = 0; i < frames.size(); i++) {
      if (match.test(frames.get(i))) {
        return arrivals.get(i);
      }
    }
    throw new AssertionError("no matching frame in " + frames);
  }

  static Predicate<JsonObject> stdoutContaining(String text) {
    return f -> "stdout".equals(f.getString("type")) && f.getString("data").contains(text);
  }

  static Predicate<JsonObject> ofType(String type) {
    return f -> type.equals(f.getString("type"));
  }

  /**
   * Asserts the frames are the execution's sequence from {@code from}: consecutive seqs, one exit,
   * last.
   */
  void assertCompleteFrom(long from) {
    List<JsonObject> seq = sequence();
    assertThat(seq).isNotEmpty();
    for (int i = 0; i < seq.size(); i++) {
      assertThat(seq.get(i).getLong("seq")).as("frame %d of %s", i, seq).isEqualTo(from + i);
    }
    assertThat(seq.get(seq.size() - 1).getString("type")).isEqualTo("exit");
    assertThat(seq.stream().filter(f -> "exit".equals(f.getString("type")))).hasSize(1);
  }
}
