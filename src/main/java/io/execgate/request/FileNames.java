package io.execgate.request;

/**
 * Rules for the names of files a request writes into the sandbox: relative paths inside the
 * working directory, nothing that could escape it or be read as an option.
 */
public final class FileNames {

  public static final int MAX_LENGTH = 1024;

  private FileNames() {
  }

  /**
   * @return what is wrong with {@code name}, or {@code null} when it is acceptable
   */
  public static String problem(String name) {
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      return "must have 1 to " + MAX_LENGTH + " characters";
    }
    if (name.startsWith("/")) {
      return "must be a relative path";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        return "must not contain control characters or backslashes";
      }
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "must not contain empty, '.' or '..' segments";
      }
      if (segment.startsWith("-")) {
        return "must not have a segment starting with '-'";
      }
      if (segment.length() > 255) {
        return "must not have a segment longer than 255 characters";
      }
    }
    return null;
  }
}
