package io.execgate.executor.launcher;

import io.execgate.model.OutputFile;
import io.execgate.model.OutputFiles;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the tar stream in which the launcher sends back the program's {@code out/} directory
 * ({@link JobScript}), as it arrives, trusting nothing in it: the stream comes from inside the sandbox,
 * where the program's leftover processes may have written into it.
 * <ul>
 *   <li>only regular files are taken: directories, symbolic and hard links, FIFOs and devices are
 *   skipped (tar stores a link or a FIFO as an entry, without following or opening it);</li>
 *   <li>a name must be UTF-8, relative, without {@code .} or {@code ..} segments, control characters or
 *   backslashes, at most {@link #MAX_NAME_BYTES}; a file with another name is skipped, and so is a
 *   second file of the same name;</li>
 *   <li>the files' bytes together stay within the request's cap and their number within
 *   {@link #MAX_FILES}: a file that does not fit is left out whole, and the result says
 *   {@code outputFilesTruncated};</li>
 *   <li>the stream itself is bounded ({@code maxStreamBytes}); a header whose checksum is wrong, a
 *   size that is not a number, or a stream cut short ends the reading: what was read whole stays.</li>
 * </ul>
 * Nothing is written anywhere: the files stay in memory, within the cap. Lives on the execution's context.
 */
final class OutputFilesReader {

  /** The most files one result carries. */
  static final int MAX_FILES = 1000;
  /** The longest name of a returned file, in UTF-8 bytes. */
  static final int MAX_NAME_BYTES = 1024;
  private static final int BLOCK = 512;
  /** The most bytes of a GNU long name or a pax header that are read. */
  private static final int MAX_META_BYTES = 16 * 1024;

  private enum Kind { FILE, LONG_NAME, PAX, SKIP }

  private final long limitBytes;
  private final long maxStreamBytes;
  private final List<OutputFile> files = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private final byte[] header = new byte[BLOCK];
  private int headerFill;
  private long streamBytes;
  private long keptBytes;
  private boolean truncated;
  /** The end-of-archive block was read. */
  private boolean ended;
  /** The stream cannot be read further: its end, or what is left, is ignored. */
  private boolean stopped;
  private boolean inData;
  private Kind kind;
  private String name;
  private long remaining;
  private long padding;
  private byte[] data;
  private int fill;
  /** The name the next entry takes (from a GNU long-name entry or a pax header), raw. */
  private byte[] nextName;

  /**
   * @param limitBytes     the most bytes of file content kept
   * @param maxStreamBytes the most bytes of stream read
   */
  OutputFilesReader(long limitBytes, long maxStreamBytes) {
    this.limitBytes = limitBytes;
    this.maxStreamBytes = maxStreamBytes;
  }

  void feed(byte[] buf, int from, int to) {
    if (stopped || ended) {
      return;
    }
    long allowed = maxStreamBytes - streamBytes;
    if (to - from > allowed) {
      to = from + (int) Math.max(0, allowed);
      stopped = true;
      truncated = true;
    }
    streamBytes += to - from;
    int i = from;
    while (i < to && !ended) {
      if (!inData) {
        int n = Math.min(BLOCK - headerFill, to - i);
        System.arraycopy(buf, i, header, headerFill, n);
        headerFill += n;
        i += n;
        if (headerFill == BLOCK) {
          headerFill = 0;
          if (!header()) {
            stopped = true;
            truncated = true;
            return;
          }
        }
      } else if (remaining > 0) {
        int n = (int) Math.min(remaining, to - i);
        if (data != null) {
          System.arraycopy(buf, i, data, fill, Math.min(n, data.length - fill));
          fill += Math.min(n, data.length - fill);
        }
        remaining -= n;
        i += n;
        if (remaining == 0) {
          entryRead();
        }
      } else {
        int n = (int) Math.min(padding, to - i);
        padding -= n;
        i += n;
      }
      if (inData && remaining == 0 && padding == 0) {
        inData = false;
      }
    }
  }

  /**
   * @param complete whether the launcher said the stream ended (rather than the sandbox ending)
   * @return the files read whole, and whether some were left out
   */
  OutputFiles finish(boolean complete) {
    if (!ended || !complete) {
      // a stream that stops without its end-of-archive block was cut (at its byte cap, or the program's end)
      truncated = true;
    }
    stopped = true;
    return new OutputFiles(files, truncated);
  }

  /**
   * @return whether the header is a header (an end-of-archive block is one)
   */
  private boolean header() {
    if (isZero(header)) {
      ended = true;
      return true;
    }
    Long checksum = octal(header, 148, 8);
    if (checksum == null || checksum != checksum(header)) {
      return false;
    }
    long size = size(header);
    if (size < 0) {
      return false;
    }
    byte type = header[156];
    byte[] raw = nextName != null ? nextName : headerName(header);
    nextName = null;
    remaining = size;
    padding = (BLOCK - size % BLOCK) % BLOCK;
    data = null;
    fill = 0;
    name = null;
    kind = switch (type) {
      case '0', 0, '7' -> file(raw, size);
      case 'L' -> size <= MAX_META_BYTES ? Kind.LONG_NAME : Kind.SKIP;
      case 'x' -> size <= MAX_META_BYTES ? Kind.PAX : Kind.SKIP;
      default -> Kind.SKIP;
    };
    if (kind == Kind.LONG_NAME || kind == Kind.PAX) {
      data = new byte[(int) size];
    }
    inData = true;
    if (remaining == 0) {
      entryRead();
      if (padding == 0) {
        inData = false;
      }
    }
    return true;
  }

  private Kind file(byte[] raw, long size) {
    String n = safeName(raw);
    if (n == null || names.contains(n)) {
      return Kind.SKIP;
    }
    if (files.size() >= MAX_FILES || keptBytes + size > limitBytes) {
      truncated = true;
      return Kind.SKIP;
    }
    name = n;
    names.add(n);
    data = new byte[(int) size];
    keptBytes += size;
    return Kind.FILE;
  }

  private void entryRead() {
    switch (kind) {
      case FILE -> files.add(new OutputFile(name, MediaTypes.of(name), data));
      case LONG_NAME -> nextName = Arrays.copyOf(data, indexOfNul(data, 0, data.length));
      case PAX -> nextName = paxPath(data);
      default -> {
      }
    }
    data = null;
  }

  /**
   * @return the {@code path} of a pax header's records ({@code "<len> <key>=<value>\n"}), or {@code null}
   */
  private static byte[] paxPath(byte[] pax) {
    int i = 0;
    while (i < pax.length) {
      int space = i;
      while (space < pax.length && pax[space] != ' ') {
        space++;
      }
      int len;
      try {
        len = Integer.parseInt(new String(pax, i, space - i, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        return null;
      }
      if (len <= space - i || i + len > pax.length) {
        return null;
      }
      int end = i + len - 1;
      int eq = space + 1;
      while (eq < end && pax[eq] != '=') {
        eq++;
      }
      if ("path".equals(new String(pax, space + 1, eq - space - 1, StandardCharsets.US_ASCII)) && eq < end) {
        return Arrays.copyOfRange(pax, eq + 1, end);
      }
      i += len;
    }
    return null;
  }

  private static byte[] headerName(byte[] h) {
    byte[] name = Arrays.copyOf(h, indexOfNul(h, 0, 100));
    // POSIX ustar ("ustar\0"): a long name's directories are in the prefix field; GNU's format
    // ("ustar  \0") keeps other fields there
    boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
    if (posix && h[345] != 0) {
      byte[] prefix = Arrays.copyOfRange(h, 345, indexOfNul(h, 345, 500));
      byte[] joined = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
      joined[prefix.length] = '/';
      System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
      return joined;
    }
    return name;
  }

  /**
   * @return the name as a returned file is named, or {@code null} when it is not one to return
   */
  static String safeName(byte[] raw) {
    if (raw == null || raw.length == 0 || raw.length > MAX_NAME_BYTES + 2) {
      return null;
    }
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    while (s.startsWith("./")) {
      s = s.substring(2);
    }
    if (s.isEmpty() || s.startsWith("/") || s.endsWith("/") || s.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      return null;
    }
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
        return null;
      }
    }
    for (String segment : s.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return null;
      }
    }
    return s;
  }

  /**
   * @return the entry's size: octal, or GNU's base-256 for large ones; -1 when it is neither
   */
  private static long size(byte[] h) {
    if ((h[124] & 0x80) != 0) {
      long v = 0;
      for (int k = 125; k < 136; k++) {
        if (v >>> 55 != 0) {
          return -1;
        }
        v = (v << 8) | (h[k] & 0xff);
      }
      return h[124] == (byte) 0x80 ? v : -1;
    }
    Long v = octal(h, 124, 12);
    return v == null ? -1 : v;
  }

  /**
   * @return an octal field (spaces and NULs around it allowed), or {@code null} when it is not one
   */
  private static Long octal(byte[] h, int off, int len) {
    int k = off;
    int end = off + len;
    while (k < end && h[k] == ' ') {
      k++;
    }
    long v = 0;
    int digits = 0;
    while (k < end && h[k] >= '0' && h[k] <= '7') {
      v = (v << 3) | (h[k] - '0');
      k++;
      digits++;
    }
    while (k < end && (h[k] == ' ' || h[k] == 0)) {
      k++;
    }
    return digits == 0 || k != end ? null : v;
  }

  private static long checksum(byte[] h) {
    long sum = 0;
    for (int k = 0; k < BLOCK; k++) {
      sum += k >= 148 && k < 156 ? ' ' : h[k] & 0xff;
    }
    return sum;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static int indexOfNul(byte[] b, int from, int to) {
    for (int k = from; k < to; k++) {
      if (b[k] == 0) {
        return k;
      }
    }
    return to;
  }
}
