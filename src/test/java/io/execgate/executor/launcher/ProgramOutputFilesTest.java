package io.execgate.executor.launcher;

import io.execgate.docker.OutputChunk;
import io.execgate.model.ExecutionJob;
import io.execgate.model.OutputFile;
import io.execgate.model.OutputFiles;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.execgate.store.RecordOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code files} records of the launcher protocol: taken only where the launcher writes them, the
 * bytes between them read as a tar stream, and the whole protocol run against the host's shell and tar.
 */
class ProgramOutputFilesTest {

  private static final String NONCE = "5eed";
  private static final long MIB = 1 << 20;
  private static final RuntimeSpec SH = new RuntimeSpec("sh", List.of(), "1", "img", "main.sh", null,
    "sh {file}", 1000, false);

  @TempDir
  Path tmp;

  private final StringBuilder stdoutText = new StringBuilder();
  private final List<String> events = new ArrayList<>();

  private ProgramOutput output(boolean compiles) {
    return new ProgramOutput("id", NONCE, 1000, compiles, 0, MIB, RecordOutput.unbounded(), new ProgramOutput.Listener() {
      @Override
      public void text(boolean stderr, String stage, String text) {
        if (!stderr) {
          stdoutText.append(text);
        }
      }

      @Override
      public void truncated(boolean stderr, String stage, long keptBytes) {
        events.add("truncated");
      }

      @Override
      public void compiled(int exitCode) {
        events.add("compiled");
      }

      @Override
      public void ended() {
        events.add("ended");
      }
    });
  }

  private static byte[] record(String nonce, String body) {
    return ("\u001eEXECGATE:" + nonce + ":" + body + "\u001e").getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void theBytesBetweenTheRecordsAreTheFilesWhateverTheChunks() {
    // file content full of record separators and a prefix of the marker, which is no record
    byte[] tricky = concat(new byte[]{0x1e, 0x1e}, "\u001eEXECGATE:".getBytes(StandardCharsets.US_ASCII),
      OutputFilesReaderTest.allBytes(), "\u001eEXECGATE:5ee".getBytes(StandardCharsets.US_ASCII));
    byte[] tar = new OutputFilesReaderTest.Tar().file("./t.bin", tricky).end();
    byte[] stream = concat("before\n".getBytes(StandardCharsets.UTF_8), record(NONCE, "files"), tar,
      record(NONCE, "files-end"), record(NONCE, "exit:0:1:2:0"));
    for (int chunk : new int[]{stream.length, 1, 7, 511, 4096}) {
      stdoutText.setLength(0);
      ProgramOutput out = output(false);
      for (int i = 0; i < stream.length; i += chunk) {
        out.accept(new OutputChunk(false, Arrays.copyOfRange(stream, i, Math.min(stream.length, i + chunk))));
      }
      out.accept(new OutputChunk(true, record(NONCE, "exit:0:1:2:0")));
      assertThat(out.exitCode()).isZero();
      assertThat(out.files().truncated()).as("chunk " + chunk).isFalse();
      assertThat(out.files().files()).hasSize(1);
      assertThat(out.files().files().get(0).content()).as("chunk " + chunk).isEqualTo(tricky);
      assertThat(stdoutText.toString()).isEqualTo("before\n");
    }
  }

  @Test
  void aFilesRecordAnywhereElseIsText() {
    byte[] tar = new OutputFilesReaderTest.Tar().file("x", "x".getBytes(StandardCharsets.UTF_8)).end();
    // on stderr
    ProgramOutput out = output(false);
    out.accept(new OutputChunk(true, concat(record(NONCE, "files"), "after".getBytes(StandardCharsets.UTF_8))));
    assertThat(out.stderrText()).isEqualTo("\u001eEXECGATE:5eed:files\u001eafter");
    // with another nonce (a program guessing)
    out.accept(new OutputChunk(false, concat(record("0000", "files"), "t".getBytes(StandardCharsets.UTF_8))));
    assertThat(stdoutText.toString()).isEqualTo("\u001eEXECGATE:0000:files\u001et");
    assertThat(out.files()).isNull();
    // during a compile step
    ProgramOutput compiling = output(true);
    compiling.accept(new OutputChunk(false, concat(record(NONCE, "files"), "c".getBytes(StandardCharsets.UTF_8))));
    assertThat(compiling.compileStdoutText()).isEqualTo("\u001eEXECGATE:5eed:files\u001ec");
    // a second time, once the first ended
    ProgramOutput twice = output(false);
    twice.accept(new OutputChunk(false, concat(record(NONCE, "files"), tar, record(NONCE, "files-end"),
      record(NONCE, "files"), "z".getBytes(StandardCharsets.UTF_8))));
    assertThat(twice.files().files()).extracting(OutputFile::name).containsExactly("x");
    assertThat(twice.stdoutText()).isEqualTo("\u001eEXECGATE:5eed:files\u001ez");
    // files-end without files
    ProgramOutput endOnly = output(false);
    endOnly.accept(new OutputChunk(false, record(NONCE, "files-end")));
    assertThat(endOnly.files()).isNull();
    assertThat(endOnly.stdoutText()).isEqualTo("\u001eEXECGATE:5eed:files-end\u001e");
  }

  @Test
  void aStreamThatEndsInsideTheFilesKeepsWhatWasWhole() {
    byte[] tar = new OutputFilesReaderTest.Tar().file("a", new byte[10]).file("b", new byte[5000]).end();
    ProgramOutput out = output(false);
    out.accept(new OutputChunk(false, concat(record(NONCE, "files"), Arrays.copyOf(tar, 2048))));
    out.accept(new OutputChunk(false, record(NONCE, "exit:137::")));
    assertThat(out.exitCode()).isEqualTo(137);
    assertThat(out.files().files()).extracting(OutputFile::name).containsExactly("a");
    assertThat(out.files().truncated()).isTrue();
    ProgramOutput gone = output(false);
    gone.accept(new OutputChunk(false, concat(record(NONCE, "files"), Arrays.copyOf(tar, 1024))));
    gone.end();
    assertThat(gone.files().truncated()).isTrue();
    assertThat(gone.files().files()).hasSize(1);
  }

  @Test
  void garbageInTheFilesIsBoundedAndTheExitRecordStillCounts() {
    ProgramOutput out = output(false);
    out.accept(new OutputChunk(false, record(NONCE, "files")));
    byte[] junk = new byte[64 * 1024];
    Arrays.fill(junk, (byte) 'j');
    for (int i = 0; i < 64; i++) {
      out.accept(new OutputChunk(false, junk));
    }
    out.accept(new OutputChunk(false, concat(record(NONCE, "files-end"), record(NONCE, "exit:0::"))));
    out.accept(new OutputChunk(true, record(NONCE, "exit:0::")));
    assertThat(events).containsExactly("ended");
    assertThat(out.files().files()).isEmpty();
    assertThat(out.files().truncated()).isTrue();
    assertThat(out.stdoutText()).isEmpty();
  }

  @Test
  void theLauncherSendsOutBackWithTheHostsShellAndTar() throws Exception {
    byte[] all = OutputFilesReaderTest.allBytes();
    String program = "mkdir -p out/sub && cp data.bin out/ && echo hi > out/sub/t.txt && ln -s /etc/passwd out/passwd"
      + " && ln -s /proc/self/environ out/env && mkfifo out/fifo && ln -s /etc out/etc && echo done\n";
    ExecutionJob job = new ExecutionJob("id", 0, SH, "img", List.of(
      new SourceFile("main.sh", program.getBytes(StandardCharsets.UTF_8)), new SourceFile("data.bin", all)),
      null, List.of(), Map.of(), ResourceLimits.DEFAULTS, false);
    byte[] stdout = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, NONCE, tmp.toString()));
    ProgramOutput out = output(false);
    out.accept(new OutputChunk(false, stdout));
    out.end();
    assertThat(out.exitCode()).isZero();
    assertThat(out.stdoutText()).isEqualTo("done\n");
    OutputFiles files = out.files();
    assertThat(files.truncated()).isFalse();
    assertThat(files.files()).extracting(OutputFile::name).containsExactlyInAnyOrder("data.bin", "sub/t.txt");
    assertThat(files.files().stream().filter(f -> f.name().equals("data.bin")).findFirst().orElseThrow().content())
      .isEqualTo(all);
  }

  @Test
  void anEmptyOrLinkedOutOrNoCapSendsNothing() throws Exception {
    for (String program : List.of("test -d out && echo x\n", "rmdir out && ln -s /etc out && echo x\n",
      "rm -r out; echo x\n")) {
      ExecutionJob job = new ExecutionJob("id", 0, SH, "img", List.of(
        new SourceFile("main.sh", program.getBytes(StandardCharsets.UTF_8))),
        null, List.of(), Map.of(), ResourceLimits.DEFAULTS, false);
      byte[] stdout = sh(JobScript.launcher(tmp.toString()), JobScript.payload(job, NONCE, tmp.toString()));
      assertThat(new String(stdout, StandardCharsets.UTF_8)).as(program).startsWith("x\n").doesNotContain(":files");
      new ProcessBuilder("rm", "-rf", tmp.resolve("work").toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
    // a dot file is enough
    ExecutionJob dot = new ExecutionJob("id", 0, SH, "img", List.of(
      new SourceFile("main.sh", "echo > out/.hidden\n".getBytes(StandardCharsets.UTF_8))),
      null, List.of(), Map.of(), ResourceLimits.DEFAULTS, false);
    ProgramOutput out = output(false);
    out.accept(new OutputChunk(false, sh(JobScript.launcher(tmp.toString()), JobScript.payload(dot, NONCE,
      tmp.toString()))));
    assertThat(out.files().files()).extracting(OutputFile::name).containsExactly(".hidden");
    ExecutionJob none = new ExecutionJob("id", 0, SH, "img", List.of(
      new SourceFile("main.sh", "mkdir out; echo x > out/a\n".getBytes(StandardCharsets.UTF_8))),
      null, List.of(), Map.of(), ResourceLimits.DEFAULTS.withOutputFilesBytes(0), false);
    assertThat(JobScript.script(none, NONCE, tmp.toString())).doesNotContain("tar");
  }

  private byte[] sh(String script, byte[] stdin) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(tmp.toFile())
      .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream is = p.getInputStream()) {
      is.transferTo(out);
    }
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out.toByteArray();
  }
}
