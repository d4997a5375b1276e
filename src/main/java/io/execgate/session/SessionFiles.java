package io.execgate.session;

import io.execgate.docker.ContainerRuntime;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * A session's file calls, each one short shell script run in its sandbox as the sandbox user
 * ({@link SandboxCommand}): the path is an argument of the script, never part of it; an upload is
 * read from stdin by its exact length with {@code dd} into a temporary file on the same tmpfs, then
 * renamed, so a full {@code /tmp} leaves no half file; a download is its size on one line, then the
 * bytes. Errors are one word on stderr ({@code E:<word>}), turned into the API's errors here.
 */
final class SessionFiles {

  private static final String CD = "cd /tmp/work 2>/dev/null || { mkdir -p /tmp/work && cd /tmp/work; } "
    + "|| { echo E:setup >&2; exit 1; }; p=$1; ";

  static final String PUT = CD + "n=$2; cap=$3; t=/tmp/.execgate-upload; "
    + "[ -d \"$p\" ] && { echo E:isdir >&2; exit 1; }; "
    + "u=$(du -sk . 2>/dev/null | { read -r a b; echo \"${a:-0}\"; }); o=0; "
    + "[ -f \"$p\" ] && o=$(wc -c < \"$p\"); "
    + "[ $((u * 1024 - o + n)) -le \"$cap\" ] || { echo E:quota >&2; exit 1; }; "
    + "case $p in */*) mkdir -p -- \"${p%/*}\" 2>/dev/null || { echo E:notdir >&2; exit 1; };; esac; "
    + "q=$((n / 65536)); s=$((n % 65536)); "
    + "{ [ $q -eq 0 ] || dd bs=65536 count=$q iflag=fullblock 2>/dev/null; "
    + "[ $s -eq 0 ] || dd bs=$s count=1 iflag=fullblock 2>/dev/null; } > $t 2>/dev/null; "
    + "w=$(wc -c < $t 2>/dev/null); [ \"${w:-0}\" -eq \"$n\" ] || { rm -f $t; echo E:full >&2; exit 1; }; "
    + "mv -f -- $t \"$p\" 2>/dev/null || { rm -f $t; echo E:notdir >&2; exit 1; }";

  static final String GET = CD + "[ -e \"$p\" ] || { echo E:notfound >&2; exit 1; }; "
    + "[ -f \"$p\" ] || { echo E:notfile >&2; exit 1; }; "
    + "n=$(wc -c < \"$p\") || { echo E:unreadable >&2; exit 1; }; "
    + "[ \"$n\" -le \"$2\" ] || { echo E:toolarge >&2; exit 1; }; "
    + "printf '%s\\n' \"$n\"; exec cat -- \"$p\"";

  static final String DELETE = CD + "[ -e \"$p\" ] || [ -L \"$p\" ] || { echo E:notfound >&2; exit 1; }; "
    + "rm -rf -- \"$p\" 2>/dev/null || { echo E:unwritable >&2; exit 1; }";

  static final String LIST = "cd /tmp/work 2>/dev/null || exit 0; "
    + "find . -mindepth 1 -exec stat -c '%s %Y %F %n' {} + 2>/dev/null; exit 0";

  /** Most bytes of listing kept. */
  private static final long MAX_LIST_BYTES = 4L << 20;
  private static final long CALL_TIMEOUT_MS = 60_000;

  private final ContainerRuntime runtime;
  private final int uid;
  private final long maxFileBytes;
  private final long maxSessionBytes;

  SessionFiles(ContainerRuntime runtime, int uid, long maxFileBytes, long maxSessionBytes) {
    this.runtime = runtime;
    this.uid = uid;
    this.maxFileBytes = maxFileBytes;
    this.maxSessionBytes = maxSessionBytes;
  }

  Future<Void> put(String container, String path, byte[] data) {
    if (data.length > maxFileBytes) {
      return Future.failedFuture(new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "the file is " + data.length
        + " bytes; sessions.maxFileBytes is " + maxFileBytes, "body"));
    }
    return SandboxCommand.run(runtime, container, uid, PUT,
        List.of(path, String.valueOf(data.length), String.valueOf(maxSessionBytes)), data, 4096, CALL_TIMEOUT_MS)
      .compose(out -> check(out, path));
  }

  Future<Buffer> get(String container, String path) {
    return SandboxCommand.run(runtime, container, uid, GET, List.of(path, String.valueOf(maxSessionBytes)), null,
        maxSessionBytes + 32, CALL_TIMEOUT_MS)
      .compose(out -> check(out, path).map(v -> out.stdout()))
      .compose(stdout -> content(stdout, path));
  }

  Future<Void> delete(String container, String path) {
    return SandboxCommand.run(runtime, container, uid, DELETE, List.of(path), null, 4096, CALL_TIMEOUT_MS)
      .compose(out -> check(out, path));
  }

  Future<JsonArray> list(String container) {
    return SandboxCommand.run(runtime, container, uid, LIST, List.of(), null, MAX_LIST_BYTES, CALL_TIMEOUT_MS)
      .map(out -> parseList(out.stdout().toString(StandardCharsets.UTF_8)));
  }

  /**
   * @return the listing's entries: {@code name} (relative), {@code size}, {@code modifiedAt} (ISO-8601) and
   *   {@code type} ({@code file}, {@code directory}, {@code symlink} or {@code other}); a line that does not
   *   parse (a name with a newline) is left out
   */
  static JsonArray parseList(String text) {
    JsonArray files = new JsonArray();
    for (String line : text.split("\n")) {
      String[] parts = line.split(" ", 3);
      if (parts.length < 3) {
        continue;
      }
      int name = parts[2].indexOf(" ./");
      if (name < 0) {
        continue;
      }
      try {
        long size = Long.parseLong(parts[0]);
        long mtime = Long.parseLong(parts[1]);
        String kind = parts[2].substring(0, name);
        String type = kind.startsWith("regular") ? "file" : kind.equals("directory") ? "directory"
          : kind.equals("symbolic link") ? "symlink" : "other";
        files.add(new JsonObject().put("name", parts[2].substring(name + 3)).put("size", size)
          .put("modifiedAt", Instant.ofEpochSecond(mtime).toString()).put("type", type));
      } catch (NumberFormatException e) {
        // not a line of ours
      }
    }
    return files;
  }

  private static Future<Void> check(SandboxCommand.Output out, String path) {
    String err = out.stderr().strip();
    if (!err.startsWith("E:")) {
      return Future.succeededFuture();
    }
    int end = err.indexOf('\n');
    String word = (end < 0 ? err : err.substring(0, end)).substring(2);
    return Future.failedFuture(switch (word) {
      case "notfound" -> new GatewayException(ErrorCode.NOT_FOUND, "no file " + path + " in the session", "path");
      case "notfile" -> new GatewayException(ErrorCode.INVALID_REQUEST, path + " is not a regular file", "path");
      case "isdir" -> new GatewayException(ErrorCode.INVALID_REQUEST, path + " is a directory", "path");
      case "notdir" -> new GatewayException(ErrorCode.INVALID_REQUEST, "a parent of " + path
        + " is not a directory, or cannot be written", "path");
      case "toolarge" -> new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, path + " is larger than "
        + "sessions.maxSessionFileBytes", "path");
      case "quota" -> new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "the upload would take the session's working "
        + "directory over sessions.maxSessionFileBytes", "body");
      case "full" -> new GatewayException(ErrorCode.SESSION_STORAGE_FULL, "the session's /tmp is full: the upload "
        + "was not written (delete files, or ask for less)", "body");
      default -> new GatewayException(ErrorCode.INVALID_REQUEST, "the sandbox refused the file call on " + path
        + " (" + word + ")", "path");
    });
  }

  private static Future<Buffer> content(Buffer stdout, String path) {
    int nl = -1;
    for (int i = 0; i < Math.min(stdout.length(), 24); i++) {
      if (stdout.getByte(i) == '\n') {
        nl = i;
        break;
      }
    }
    if (nl < 0) {
      return Future.failedFuture(new GatewayException(ErrorCode.INTERNAL, "the sandbox's answer for " + path
        + " has no size"));
    }
    long size = Long.parseLong(stdout.getString(0, nl).strip());
    Buffer bytes = stdout.getBuffer(nl + 1, stdout.length());
    if (bytes.length() != size) {
      return Future.failedFuture(new GatewayException(ErrorCode.SESSION_BUSY, path + " changed while it was read ("
        + bytes.length() + " of " + size + " bytes)", "path"));
    }
    return Future.succeededFuture(bytes);
  }
}
