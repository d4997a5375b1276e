package io.execgate.executor.launcher;

import io.execgate.model.ExecutionJob;
import io.execgate.model.SourceFile;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Which of a job's files (and whether its stdin) go inside the job script: small UTF-8 text without
 * NUL bytes, which a shell string holds exactly; the rest is read by length with dd.
 */
record Inline(Set<SourceFile> files, boolean stdin, Set<Integer> testStdins) {

  /** Files up to this size, text without NUL bytes, travel inside the job script (no dd, no fork). */
  static final int INLINE_FILE_BYTES = 64 * 1024;
  static final int INLINE_TOTAL_BYTES = 256 * 1024;

  static Inline of(ExecutionJob job) {
    Set<SourceFile> files = new HashSet<>();
    long total = 0;
    for (SourceFile f : job.files()) {
      if (inlinable(f.content()) && total + f.content().length <= INLINE_TOTAL_BYTES) {
        files.add(f);
        total += f.content().length;
      }
    }
    boolean stdin = job.stdin() != null && !job.interactive() && inlinable(job.stdin())
      && total + job.stdin().length <= INLINE_TOTAL_BYTES;
    if (stdin) {
      total += job.stdin().length;
    }
    Set<Integer> tests = new HashSet<>();
    if (job.tests() != null) {
      for (int i = 0; i < job.tests().tests().size(); i++) {
        String in = job.tests().tests().get(i).stdin();
        byte[] bytes = in == null ? null : in.getBytes(StandardCharsets.UTF_8);
        if (bytes != null && inlinable(bytes) && total + bytes.length <= INLINE_TOTAL_BYTES) {
          tests.add(i);
          total += bytes.length;
        }
      }
    }
    return new Inline(files, stdin, tests);
  }

  private static boolean inlinable(byte[] bytes) {
    if (bytes.length > INLINE_FILE_BYTES) {
      return false;
    }
    for (byte b : bytes) {
      if (b == 0) {
        return false;
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
