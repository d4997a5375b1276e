package io.execgate.stream;

import io.execgate.model.DisplayOutput;
import io.execgate.model.ExecutionResult;
import io.execgate.model.Frame;
import io.execgate.model.TestResult;
import io.execgate.store.ExecutionStore;
import io.execgate.store.OutputPart;
import io.execgate.store.StoredRecord;
import io.execgate.store.TextSource;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ended execution's stream rebuilt from its stored record, once its frames are no longer
 * retained: {@code accepted}, its final {@code status}, its output in chunks, {@code truncated}
 * when a cap was hit, and {@code exit}. The interleaving of stdout and stderr is not kept. The
 * output is read from the store a page at a time, as the client takes it. A judged execution's
 * tests follow, before {@code exit}: each test's kept stdout and stderr (with {@code test}, its
 * index), then its {@code test} frame. A stateful cell's rich outputs follow, as {@code display} frames.
 */
public final class RecordFrames {

  /** Most frame weight one page carries. */
  static final long PAGE_BYTES = 256 * 1024;

  private final ExecutionResult r;
  private final long end;
  private final long total;
  private final TextSource stdout;
  private final TextSource stderr;
  /** The frames of a judged execution's tests (their texts are in the record), or none. */
  private final List<Frame> testFrames;
  /** The rich outputs of a stateful cell (in the record), or none. */
  private final List<DisplayOutput> displays;
  private long seq;
  private long stdoutBytes;
  private long stderrBytes;

  public RecordFrames(ExecutionStore store, StoredRecord record) {
    this.r = record.result();
    this.end = (r.queuedMs() == null ? 0 : r.queuedMs()) + (r.durationMs() == null ? 0 : r.durationMs());
    this.stdout = store.text(record, OutputPart.STDOUT);
    this.stderr = store.text(record, OutputPart.STDERR);
    this.testFrames = testFrames(r, end);
    this.displays = r.outputs() == null ? List.of() : r.outputs().items();
    this.total = 3 + frames(record, OutputPart.STDOUT) + frames(record, OutputPart.STDERR)
      + (r.stdoutTruncated() ? 1 : 0) + (r.stderrTruncated() ? 1 : 0) + testFrames.size() + displays.size();
  }

  private static List<Frame> testFrames(ExecutionResult r, long end) {
    List<Frame> frames = new ArrayList<>();
    if (r.judge() == null) {
      return frames;
    }
    for (int i = 0; i < r.judge().tests().size(); i++) {
      TestResult t = r.judge().tests().get(i);
      if (t.stdout() != null && !t.stdout().isEmpty()) {
        frames.add(Frame.output(0, end, false, t.stdout()).ofTest(i));
      }
      if (t.stderr() != null && !t.stderr().isEmpty()) {
        frames.add(Frame.output(0, end, true, t.stderr()).ofTest(i));
      }
      frames.add(Frame.test(0, end, i, t));
    }
    return frames;
  }

  private static long frames(StoredRecord record, OutputPart part) {
    StoredRecord.Pieces pieces = record.pieces().get(part);
    return pieces != null ? pieces.count() : ExecutionStore.split(record.inline(part) == null ? ""
      : record.inline(part)).size();
  }

  /**
   * @return how many frames the rebuilt stream has, {@code exit} included
   */
  public long size() {
    return total;
  }

  /**
   * @return the next frames from {@code from}, which must follow the last page (a page is never empty
   *   before the end)
   */
  public Future<List<Frame>> page(long from) {
    if (from != seq) {
      return Future.failedFuture(new IllegalStateException("rebuilt frames are read in order: asked for " + from
        + ", next is " + seq));
    }
    return fill(new ArrayList<>(), 0);
  }

  private Future<List<Frame>> fill(List<Frame> page, long weight) {
    if (seq >= total || weight >= PAGE_BYTES) {
      return Future.succeededFuture(page);
    }
    return next().compose(f -> {
      seq++;
      page.add(f);
      return fill(page, weight + f.weight());
    });
  }

  private Future<Frame> next() {
    long s = seq;
    if (s == 0) {
      return Future.succeededFuture(Frame.accepted(0, 0, r.id()));
    }
    if (s == 1) {
      return Future.succeededFuture(Frame.status(1, end, r.status()));
    }
    if (s == total - 1) {
      return Future.succeededFuture(Frame.exit(s, end, r));
    }
    long displayStart = total - 1 - displays.size();
    if (s >= displayStart) {
      return Future.succeededFuture(Frame.display(s, end, displays.get((int) (s - displayStart))));
    }
    long outEnd = displayStart - testFrames.size();
    if (s >= outEnd) {
      Frame f = testFrames.get((int) (s - outEnd));
      return Future.succeededFuture(new Frame(f.type(), s, f.t(), null, null, f.data(), null, null, null, null, null,
        null, f.test(), f.verdict()));
    }
    return stdout.next().compose(text -> {
      if (text != null) {
        stdoutBytes += text.getBytes(StandardCharsets.UTF_8).length;
        return Future.succeededFuture(Frame.output(s, end, false, text));
      }
      return stderr.next().map(err -> {
        if (err != null) {
          stderrBytes += err.getBytes(StandardCharsets.UTF_8).length;
          return Frame.output(s, end, true, err);
        }
        boolean stdoutCut = r.stdoutTruncated() && s == outEnd - 1 - (r.stderrTruncated() ? 1 : 0);
        return stdoutCut ? Frame.truncated(s, end, false, stdoutBytes + r.retention().stdoutOmittedBytes())
          : Frame.truncated(s, end, true, stderrBytes + r.retention().stderrOmittedBytes());
      });
    });
  }
}
