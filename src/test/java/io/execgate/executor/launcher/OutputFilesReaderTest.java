package io.execgate.executor.launcher;

import io.execgate.model.OutputFile;
import io.execgate.model.OutputFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader of the tar stream a sandbox sends its {@code out/} in: what it takes, what it skips, and
 * its bounds, on streams made by hand (forged, cut, corrupt) and by the host's GNU tar.
 */
class OutputFilesReaderTest {

  private static final long MIB = 1 << 20;

  @TempDir
  Path dir;

  @Test
  void takesRegularFilesByteExactWithTheirRelativeNames() {
    byte[] all = allBytes();
    byte[] tar = new Tar().dir("./").file("./bytes.bin", all).dir("./sub/").file("./sub/plot.png", bytes("png"))
      .file("./empty.txt", new byte[0]).end();
    OutputFiles files = read(tar, MIB, true);
    assertThat(files.truncated()).isFalse();
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("bytes.bin", "sub/plot.png", "empty.txt");
    assertThat(files.files().get(0).content()).isEqualTo(all);
    assertThat(files.files()).extracting(OutputFile::mediaType)
      .containsExactly("application/octet-stream", "image/png", "text/plain");
  }

  @Test
  void anyChunkingReadsTheSame() {
    byte[] tar = new Tar().file("a", bytes("x".repeat(700))).file("b/c.csv", bytes("1,2\n")).end();
    OutputFiles whole = read(tar, MIB, true);
    OutputFilesReader reader = new OutputFilesReader(MIB, JobScript.filesStreamBytes(MIB));
    for (int i = 0; i < tar.length; i++) {
      reader.feed(tar, i, i + 1);
    }
    assertThat(reader.finish(true)).isEqualTo(whole);
    assertThat(whole.files()).hasSize(2);
  }

  @Test
  void skipsLinksFifosDevicesAndDirectories() {
    byte[] tar = new Tar().entry("./passwd", '2', new byte[0], "/etc/passwd").entry("./hard", '1', new byte[0], "./a")
      .entry("./fifo", '6', new byte[0], "").entry("./null", '3', new byte[0], "").dir("./d/")
      .file("./ok", bytes("ok")).end();
    OutputFiles files = read(tar, MIB, true);
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("ok");
    assertThat(files.truncated()).isFalse();
  }

  @Test
  void refusesNamesThatLeaveOutOrAreNotPlain() {
    Tar t = new Tar();
    for (String bad : List.of("../escape", "/etc/cron.d/x", "a/../../b", "a//b", "./.", "a/./b", "new\nline",
      "tab\tname", "back\\slash", "esc\u001b[31m", "del\u007f", "trailing/")) {
      t.file(bad, bytes("bad"));
    }
    byte[] invalidUtf8 = {'x', (byte) 0xff, (byte) 0xfe};
    t.rawFile(invalidUtf8, bytes("bad"));
    t.file("./fine name \u00e9\u56fe.svg", bytes("<svg/>"));
    OutputFiles files = read(t.end(), MIB, true);
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("fine name \u00e9\u56fe.svg");
    assertThat(files.files().get(0).mediaType()).isEqualTo("image/svg+xml");
  }

  @Test
  void theMediaTypeIsTheExtensionsOnly() {
    assertThat(MediaTypes.of("a/B.PNG")).isEqualTo("image/png");
    assertThat(MediaTypes.of("report.csv")).isEqualTo("text/csv");
    assertThat(MediaTypes.of(".hidden")).isEqualTo("application/octet-stream");
    assertThat(MediaTypes.of("dir.png/file")).isEqualTo("application/octet-stream");
    assertThat(MediaTypes.of("noext")).isEqualTo("application/octet-stream");
    assertThat(MediaTypes.of("x.exe")).isEqualTo("application/octet-stream");
  }

  @Test
  void aSecondFileOfTheSameNameIsSkipped() {
    OutputFiles files = read(new Tar().file("a", bytes("first")).file("./a", bytes("second")).end(), MIB, true);
    assertThat(files.files()).hasSize(1);
    assertThat(new String(files.files().get(0).content(), StandardCharsets.UTF_8)).isEqualTo("first");
  }

  @Test
  void aFileOverTheCapIsLeftOutWholeAndTheRestStillFits() {
    byte[] tar = new Tar().file("small1", new byte[400]).file("big", new byte[700]).file("small2", new byte[500]).end();
    OutputFiles files = read(tar, 1000, true);
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("small1", "small2");
    assertThat(files.truncated()).isTrue();
    assertThat(files.bytes()).isEqualTo(900);
  }

  @Test
  void aCapOfZeroReturnsOnlyEmptyFiles() {
    OutputFiles files = read(new Tar().file("e", new byte[0]).file("x", new byte[1]).end(), 0, true);
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("e");
    assertThat(files.truncated()).isTrue();
  }

  @Test
  void takesAtMostMaxFiles() {
    Tar t = new Tar();
    for (int i = 0; i < OutputFilesReader.MAX_FILES + 5; i++) {
      t.file("f" + i, new byte[]{(byte) i});
    }
    OutputFiles files = read(t.end(), MIB, true);
    assertThat(files.files()).hasSize(OutputFilesReader.MAX_FILES);
    assertThat(files.truncated()).isTrue();
  }

  @Test
  void aStreamCutShortKeepsTheWholeFilesAndSaysTruncated() {
    byte[] tar = new Tar().file("a", bytes("aaa")).file("b", new byte[2000]).end();
    byte[] cut = Arrays.copyOf(tar, 512 + 512 + 512 + 1000);
    OutputFiles files = read(cut, MIB, true);
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("a");
    assertThat(files.truncated()).isTrue();
    // without its end-of-archive block, a complete-looking stream was cut too
    byte[] noEnd = Arrays.copyOf(tar, 512 + 512);
    assertThat(read(noEnd, MIB, true).truncated()).isTrue();
    // the launcher did not say it ended (the sandbox ended first)
    OutputFiles notEnded = read(tar, MIB, false);
    assertThat(notEnded.files()).hasSize(2);
    assertThat(notEnded.truncated()).isTrue();
  }

  @Test
  void aCorruptHeaderStopsTheReading() {
    byte[] tar = new Tar().file("a", bytes("aaa")).file("b", bytes("bbb")).end();
    tar[1024 + 1] ^= 0x01;
    OutputFiles files = read(tar, MIB, true);
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("a");
    assertThat(files.truncated()).isTrue();
    // a header of garbage (a leftover process writing into the stream) too
    byte[] garbage = new byte[2048];
    Arrays.fill(garbage, (byte) 'z');
    assertThat(read(garbage, MIB, true).files()).isEmpty();
  }

  @Test
  void readsNoMoreThanItsStreamBound() {
    OutputFilesReader reader = new OutputFilesReader(MIB, 4096);
    byte[] tar = new Tar().file("a", bytes("a")).file("big", new byte[8192]).end();
    reader.feed(tar, 0, tar.length);
    OutputFiles files = reader.finish(true);
    assertThat(files.files()).extracting(OutputFile::name).containsExactly("a");
    assertThat(files.truncated()).isTrue();
    assertThat(JobScript.filesStreamBytes(MIB) % JobScript.FILES_BLOCK_BYTES).isZero();
    assertThat(JobScript.filesStreamBytes(MIB)).isGreaterThan(MIB + OutputFilesReader.MAX_FILES * 1024L);
  }

  @Test
  void readsWhatGnuTarWritesLongNamesAndPaxIncluded() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    String longDir = "d".repeat(120) + "/" + "e".repeat(120);
    Files.createDirectories(out.resolve(longDir));
    Files.write(out.resolve(longDir).resolve("f".repeat(90) + ".json"), bytes("{}"));
    Files.write(out.resolve("bytes.bin"), allBytes());
    Files.createSymbolicLink(out.resolve("passwd"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(out.resolve("self"), Path.of("/proc/self/environ"));
    new ProcessBuilder("mkfifo", out.resolve("fifo").toString()).start().waitFor(10, TimeUnit.SECONDS);
    for (String format : List.of("gnu", "pax", "ustar")) {
      byte[] tar = tar(out, format);
      OutputFiles files = read(tar, MIB, true);
      List<String> names = new ArrayList<>(files.files().stream().map(OutputFile::name).toList());
      if (format.equals("ustar")) {
        // ustar cannot hold a 335-byte name: GNU tar leaves the file out
        assertThat(names).containsExactly("bytes.bin");
      } else {
        assertThat(names).containsExactlyInAnyOrder("bytes.bin", longDir + "/" + "f".repeat(90) + ".json");
      }
      assertThat(files.files().stream().filter(f -> f.name().equals("bytes.bin")).findFirst().orElseThrow().content())
        .isEqualTo(allBytes());
      assertThat(files.truncated()).as(format).isFalse();
    }
  }

  private static byte[] tar(Path out, String format) throws Exception {
    Process p = new ProcessBuilder("tar", "--format=" + format, "-cf", "-", "-C", out.toString(), ".")
      .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(bytes);
    }
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return bytes.toByteArray();
  }

  private static OutputFiles read(byte[] tar, long limit, boolean complete) {
    OutputFilesReader reader = new OutputFilesReader(limit, JobScript.filesStreamBytes(Math.max(limit, 1)));
    reader.feed(tar, 0, tar.length);
    return reader.finish(complete);
  }

  static byte[] allBytes() {
    byte[] all = new byte[256 * 3];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    return all;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes ustar entries by hand, any name and type. */
  static final class Tar {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Tar file(String name, byte[] content) {
      return entry(name, '0', content, "");
    }

    Tar rawFile(byte[] name, byte[] content) {
      return entry(name, '0', content, "");
    }

    Tar dir(String name) {
      return entry(name, '5', new byte[0], "");
    }

    Tar entry(String name, char type, byte[] content, String link) {
      return entry(name.getBytes(StandardCharsets.UTF_8), type, content, link);
    }

    Tar entry(byte[] name, char type, byte[] content, String link) {
      byte[] h = new byte[512];
      System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
      put(h, 100, "0000644");
      put(h, 108, "0001750");
      put(h, 116, "0001750");
      put(h, 124, String.format("%011o", content.length));
      put(h, 136, "00000000000");
      h[156] = (byte) type;
      put(h, 157, link);
      put(h, 257, "ustar");
      put(h, 263, "00");
      Arrays.fill(h, 148, 156, (byte) ' ');
      long sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      h[155] = ' ';
      out.writeBytes(h);
      out.writeBytes(content);
      out.writeBytes(new byte[(512 - content.length % 512) % 512]);
      return this;
    }

    byte[] end() {
      out.writeBytes(new byte[1024]);
      return out.toByteArray();
    }

    private static void put(byte[] h, int at, String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(b, 0, h, at, b.length);
    }
  }
}
