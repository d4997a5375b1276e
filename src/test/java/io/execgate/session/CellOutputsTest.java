package io.execgate.session;

import io.execgate.model.DisplayOutput;
import io.execgate.model.OutputFile;
import io.execgate.model.OutputFiles;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a stateful cell's out/ sent back, split into the program's files and the cell's rich outputs.
 */
class CellOutputsTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 1};

  private static OutputFile file(String name, String mediaType, byte[] content) {
    return new OutputFile(name, mediaType, content);
  }

  private static OutputFile text(String name, String mediaType, String content) {
    return file(name, mediaType, content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theKernelsOutputsComeInOrderApartFromTheProgramsFiles() {
    // tar lists a tmpfs directory in no useful order: the names give it
    OutputFiles raw = new OutputFiles(List.of(
      file(CellOutputs.DIR + "0003.png", "image/png", PNG),
      text("plot.csv", "text/csv", "a,b\n"),
      text(CellOutputs.DIR + "0002.txt", "text/plain", "H()"),
      text(CellOutputs.DIR + "end", "application/octet-stream", "3 0\n"),
      text(CellOutputs.DIR + "0001.html", "text/html", "<b>hi</b>")), false);
    CellOutputs split = CellOutputs.split(raw);
    assertThat(split.files().files()).extracting(OutputFile::name).containsExactly("plot.csv");
    assertThat(split.files().truncated()).isFalse();
    assertThat(split.outputs().items()).containsExactly(new DisplayOutput("text/html", "<b>hi</b>"),
      new DisplayOutput("text/plain", "H()"), new DisplayOutput("image/png", Base64.getEncoder().encodeToString(PNG)));
    assertThat(split.outputs().truncated()).isFalse();
  }

  @Test
  void aCellWithoutRichOutputHasNoOutputsAndACellWithOnlyThemNoFiles() {
    CellOutputs none = CellOutputs.split(new OutputFiles(List.of(text("a.txt", "text/plain", "a")), false));
    assertThat(none.outputs()).isNull();
    assertThat(none.files().files()).hasSize(1);
    assertThat(CellOutputs.split(null)).isEqualTo(new CellOutputs(null, null));

    CellOutputs only = CellOutputs.split(new OutputFiles(List.of(file(CellOutputs.DIR + "0001.png", "image/png", PNG),
      text(CellOutputs.DIR + "end", "application/octet-stream", "1 0\n")), false));
    assertThat(only.files()).isNull();
    assertThat(only.outputs().items()).hasSize(1);
  }

  @Test
  void outputsLeftOutAreSaid() {
    // the kernel left some out (past 100, or past the bytes)
    CellOutputs capped = CellOutputs.split(new OutputFiles(List.of(file(CellOutputs.DIR + "0001.png", "image/png", PNG),
      text(CellOutputs.DIR + "end", "application/octet-stream", "1 1\n")), false));
    assertThat(capped.outputs().truncated()).isTrue();
    // the reader left one out (past the cap it shares with the files)
    CellOutputs dropped = CellOutputs.split(new OutputFiles(List.of(file(CellOutputs.DIR + "0001.png", "image/png", PNG),
      text(CellOutputs.DIR + "end", "application/octet-stream", "2 0\n")), true));
    assertThat(dropped.outputs().truncated()).isTrue();
    assertThat(dropped.files().truncated()).isTrue();
    // the stream was cut before the end record: any output may be missing
    CellOutputs cut = CellOutputs.split(new OutputFiles(List.of(file(CellOutputs.DIR + "0001.png", "image/png", PNG)),
      true));
    assertThat(cut.outputs().truncated()).isTrue();
    // a stream cut with no sign of outputs says nothing about them
    assertThat(CellOutputs.split(new OutputFiles(List.of(text("big.bin", "application/octet-stream", "x")), true))
      .outputs()).isNull();
    // every output left out: none, and said so
    CellOutputs all = CellOutputs.split(new OutputFiles(List.of(
      text(CellOutputs.DIR + "end", "application/octet-stream", "0 1\n")), false));
    assertThat(all.outputs().items()).isEmpty();
    assertThat(all.outputs().truncated()).isTrue();
  }

  @Test
  void whatTheCellForgesInTheDirectoryIsTakenOnlyInTheKernelsShape() {
    List<OutputFile> forged = new ArrayList<>();
    forged.add(text(CellOutputs.DIR + "0001.js", "text/javascript", "alert(1)"));
    forged.add(text(CellOutputs.DIR + "x/0001.png", "image/png", "x"));
    forged.add(text(CellOutputs.DIR + "../0002.png", "image/png", "x"));
    forged.add(text(CellOutputs.DIR + "1.png", "image/png", "x"));
    forged.add(text(CellOutputs.DIR + "end", "application/octet-stream", "99999999999999999999 0"));
    forged.add(text(CellOutputs.DIR + "0004.svg", "image/svg+xml", "<svg/>"));
    CellOutputs split = CellOutputs.split(new OutputFiles(forged, false));
    assertThat(split.outputs().items()).containsExactly(new DisplayOutput("image/svg+xml", "<svg/>"));
    assertThat(split.outputs().truncated()).isFalse();
    assertThat(split.files()).isNull();
  }
}
