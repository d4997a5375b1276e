package io.execgate.executor.launcher;

import java.util.Locale;
import java.util.Map;

/**
 * The media type of a returned file, from its extension: a label for clients, never sniffed from
 * the content (the program chose both).
 */
final class MediaTypes {

  private static final Map<String, String> MEDIA_TYPES = Map.ofEntries(
    Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
    Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("bmp", "image/bmp"),
    Map.entry("svg", "image/svg+xml"), Map.entry("ico", "image/vnd.microsoft.icon"), Map.entry("tif", "image/tiff"),
    Map.entry("tiff", "image/tiff"), Map.entry("pdf", "application/pdf"), Map.entry("eps", "application/postscript"),
    Map.entry("ps", "application/postscript"), Map.entry("txt", "text/plain"), Map.entry("log", "text/plain"),
    Map.entry("csv", "text/csv"), Map.entry("tsv", "text/tab-separated-values"), Map.entry("md", "text/markdown"),
    Map.entry("html", "text/html"), Map.entry("htm", "text/html"), Map.entry("css", "text/css"),
    Map.entry("js", "text/javascript"), Map.entry("json", "application/json"), Map.entry("xml", "application/xml"),
    Map.entry("yaml", "application/yaml"), Map.entry("yml", "application/yaml"), Map.entry("zip", "application/zip"),
    Map.entry("gz", "application/gzip"), Map.entry("tar", "application/x-tar"), Map.entry("wav", "audio/wav"),
    Map.entry("mp3", "audio/mpeg"), Map.entry("ogg", "audio/ogg"), Map.entry("mp4", "video/mp4"),
    Map.entry("webm", "video/webm"), Map.entry("wasm", "application/wasm"));

  private MediaTypes() {
  }

  /**
   * @return what a file's extension says it is; {@code application/octet-stream} when it says nothing
   */
  static String of(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.lastIndexOf('.');
    if (dot <= slash + 1) {
      return "application/octet-stream";
    }
    return MEDIA_TYPES.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), "application/octet-stream");
  }
}
