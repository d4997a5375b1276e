package io.execgate.session;

import io.execgate.model.DisplayOutput;
import io.execgate.model.DisplayOutputs;
import io.execgate.model.OutputFile;
import io.execgate.model.OutputFiles;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits what a stateful cell's {@code out/} sent back into the files the program left there and
 * the cell's rich outputs, which the kernel writes under {@value #DIR} ({@code NNNN.ext}, one per
 * output, in order, then an {@code end} record: {@code "<outputs made> <1 when some were left out>"}).
 * <p>
 * The cell can write into that directory too: it can only forge its own outputs. Nothing in it
 * but numbered outputs of the kernel's media types is taken; anything else there is dropped.
 *
 * @param files   the program's own files, or {@code null} when there are none and none were left out
 * @param outputs the rich outputs, or {@code null} when there are none and none were left out
 */
public record CellOutputs(OutputFiles files, DisplayOutputs outputs) {

  /** Where the kernel writes a cell's rich outputs, under {@code out/}. */
  public static final String DIR = ".execgate-display/";
  /** The media types the kernel writes. */
  static final Set<String> MEDIA_TYPES = Set.of("image/png", "image/jpeg", "image/svg+xml", "text/html",
    "text/markdown", "text/plain");
  private static final Pattern OUTPUT = Pattern.compile("[0-9]{4}\\.[a-z]{2,4}");
  private static final Pattern END = Pattern.compile("([0-9]{1,6}) ([01])\n?");

  /**
   * @param raw what {@code out/} sent back, or {@code null}
   * @return the program's files and the cell's outputs
   */
  public static CellOutputs split(OutputFiles raw) {
    if (raw == null) {
      return new CellOutputs(null, null);
    }
    List<OutputFile> files = new ArrayList<>(raw.files().size());
    TreeMap<String, OutputFile> shown = new TreeMap<>();
    Integer made = null;
    boolean cut = false;
    boolean seen = false;
    for (OutputFile f : raw.files()) {
      if (!f.name().startsWith(DIR)) {
        files.add(f);
        continue;
      }
      seen = true;
      String name = f.name().substring(DIR.length());
      Matcher end = END.matcher(new String(f.content(), StandardCharsets.US_ASCII));
      if (name.equals("end") && f.size() < 16 && end.matches()) {
        made = Integer.parseInt(end.group(1));
        cut = end.group(2).equals("1");
      } else if (OUTPUT.matcher(name).matches() && MEDIA_TYPES.contains(f.mediaType())) {
        shown.put(name, f);
      }
    }
    // without the end record (cut with the stream), any cut of the stream may have taken outputs
    boolean truncated = cut || (made != null ? shown.size() < made : seen && raw.truncated());
    List<DisplayOutput> outputs = new ArrayList<>(shown.size());
    shown.values().forEach(f -> outputs.add(DisplayOutput.of(f.mediaType(), f.content())));
    return new CellOutputs(files.isEmpty() && !raw.truncated() ? null : new OutputFiles(files, raw.truncated()),
      outputs.isEmpty() && !truncated ? null : new DisplayOutputs(outputs, truncated));
  }
}
