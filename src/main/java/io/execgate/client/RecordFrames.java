package io.execgate.client;

import io.execgate.model.ExecutionResult;
import io.execgate.model.Frame;

import java.util.ArrayList;
import java.util.List;

/**
 * An ended execution's stream rebuilt from its stored record, once its frames are no longer
 * retained: {@code accepted}, its final {@code status}, its output in chunks, {@code truncated}
 * when a cap was hit, and {@code exit}. The interleaving of stdout and stderr is not kept.
 */
public final class RecordFrames {

  /** Characters per rebuilt output frame. */
  static final int CHUNK_CHARS = 32 * 1024;

  private RecordFrames() {
  }

  public static List<Frame> of(ExecutionResult r) {
    long end = (r.queuedMs() == null ? 0 : r.queuedMs()) + (r.durationMs() == null ? 0 : r.durationMs());
    List<Frame> frames = new ArrayList<>();
    frames.add(Frame.accepted(0, 0, r.id()));
    frames.add(Frame.status(1, end, r.status()));
    for (String chunk : chunks(r.stdout())) {
      frames.add(Frame.output(frames.size(), end, false, chunk));
    }
    for (String chunk : chunks(r.stderr())) {
      frames.add(Frame.output(frames.size(), end, true, chunk));
    }
    if (r.stdoutTruncated()) {
      frames.add(Frame.truncated(frames.size(), end, false, utf8Length(r.stdout())));
    }
    if (r.stderrTruncated()) {
      frames.add(Frame.truncated(frames.size(), end, true, utf8Length(r.stderr())));
    }
    frames.add(Frame.exit(frames.size(), end, r));
    return frames;
  }

  /**
   * @return {@code text} in pieces of about {@link #CHUNK_CHARS}, never splitting a surrogate pair
   */
  static List<String> chunks(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    int i = 0;
    while (i < text.length()) {
      int end = Math.min(text.length(), i + CHUNK_CHARS);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      out.add(text.substring(i, end));
      i = end;
    }
    return out;
  }

  private static long utf8Length(String s) {
    return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}
