package io.execgate.session;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;

/**
 * Which file paths a session's file calls accept: relative to the working directory, made of
 * plain names. The path only ever reaches the sandbox's shell as an argument (never as code), and
 * the sandbox resolves it with its own permissions; this check keeps the calls inside the working
 * directory and their answers clear.
 */
public final class SessionPaths {

  /** The longest path accepted, in UTF-16 units. */
  static final int MAX_LENGTH = 1024;
  private static final int MAX_NAME = 255;

  private SessionPaths() {
  }

  /**
   * @param path  the path as the client gave it (URL-decoded)
   * @param field the request field to name when it is refused
   * @return the path, unchanged
   * @throws GatewayException {@code invalid_request} naming {@code field}, when the path is empty, absolute,
   *   has an empty, {@code .} or {@code ..} segment, a control character, or is too long
   */
  public static String check(String path, String field) {
    if (path == null || path.isEmpty()) {
      throw GatewayException.invalid(field, field + " is empty: a path relative to the working directory is expected");
    }
    if (path.length() > MAX_LENGTH) {
      throw GatewayException.invalid(field, field + " is longer than " + MAX_LENGTH + " characters");
    }
    if (path.startsWith("/")) {
      throw GatewayException.invalid(field, field + " is absolute: paths are relative to the working directory");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw GatewayException.invalid(field, field + " contains a control character or a backslash");
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        throw GatewayException.invalid(field, field + " contains '..': paths stay inside the working directory");
      }
      if (segment.isEmpty() || segment.equals(".")) {
        throw GatewayException.invalid(field, field + " has an empty or '.' segment");
      }
      if (segment.length() > MAX_NAME) {
        throw new GatewayException(ErrorCode.INVALID_REQUEST, field + " has a name longer than " + MAX_NAME
          + " characters", field);
      }
    }
    return path;
  }
}
