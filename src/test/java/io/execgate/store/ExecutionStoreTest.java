package io.execgate.store;

import io.execgate.error.GatewayException;
import io.execgate.model.DisplayOutput;
import io.execgate.model.DisplayOutputs;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.OutputFile;
import io.execgate.model.OutputFiles;
import io.execgate.model.OutputRetention;
import io.execgate.model.StageResult;
import io.execgate.model.Usage;
import io.execgate.stream.RecordFrames;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How records hold their texts: small ones inline, larger ones in pieces read one at a time, a
 * record whose output was evicted saying so, and every reader finding what the record says it has.
 */
class ExecutionStoreTest {

  private final Vertx vertx = Vertx.vertx();
  private final ExecutionStore store = ExecutionStore.open(vertx, "t.executions", 60_000).await();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static ExecutionResult result(String id, StageResult compile) {
    return new ExecutionResult(id, ExecutionStatus.SUCCEEDED, 0, null, null, null, false, false, "img", "c", 5L, 1L,
      Usage.UNKNOWN, null, 1L, compile, null, null, new OutputRetention(7, 0, false));
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }

  @Test
  void smallTextsAreInlineAndTheRunsTextsAreAlwaysThere() {
    String id = id();
    StoredRecord stored = store.put(result(id, null), Map.of(OutputPart.STDOUT, List.of("hi\n")))
      .await();
    assertThat(stored.pieces()).isEmpty();
    ExecutionResult read = store.get(id).await();
    assertThat(read.stdout()).isEqualTo("hi\n");
    assertThat(read.stderr()).isEmpty();
    assertThat(read.retention().stdoutOmittedBytes()).isEqualTo(7);
    assertThat(read.toJson().getLong("stdoutOmittedBytes")).isEqualTo(7);
    assertThat(read.toJson().containsKey("outputPieces")).isFalse();
  }

  @Test
  void aLargeTextIsStoredInPiecesAndReadOneAtATime() {
    String id = id();
    String big = "x".repeat(3 * ExecutionStore.PIECE_CHARS + 5);
    StageResult compile = new StageResult(0, null, null, null, false, false, 3L, Usage.UNKNOWN);
    StoredRecord stored = store.put(result(id, compile), Map.of(OutputPart.STDOUT, ExecutionStore.split(big),
      OutputPart.COMPILE_STDERR, List.of("warning\n"))).await();
    assertThat(stored.pieces()).containsOnlyKeys(OutputPart.STDOUT);
    assertThat(stored.pieces().get(OutputPart.STDOUT)).isEqualTo(new StoredRecord.Pieces(4, big.length()));

    ExecutionResult header = store.get(id).await();
    assertThat(header.stdout()).as("not inline").isNull();
    assertThat(header.compile().stderr()).isEqualTo("warning\n");
    assertThat(header.compile().stdout()).isEmpty();

    StoredRecord record = store.record(id).await();
    assertThat(record.chars(OutputPart.STDOUT)).isEqualTo(big.length());
    TextSource text = store.text(record, OutputPart.STDOUT);
    assertThat(text.next().await()).hasSize(ExecutionStore.PIECE_CHARS);
    assertThat(TextSource.join(text).await()).hasSize(2 * ExecutionStore.PIECE_CHARS + 5);
    ExecutionResult full = store.full(id).await();
    assertThat(full.stdout()).isEqualTo(big);
    assertThat(full.compile().stderr()).isEqualTo("warning\n");
  }

  @Test
  void anEvictedOutputLeavesARecordThatSaysSoAndAReaderThatCannotFinish() {
    String id = id();
    String big = "y".repeat(2 * ExecutionStore.PIECE_CHARS);
    StoredRecord stored = store.put(result(id, null), Map.of(OutputPart.STDOUT, ExecutionStore.split(big),
      OutputPart.STDERR, List.of("err"))).await();
    TextSource reading = store.text(stored, OutputPart.STDOUT);
    assertThat(reading.next().await()).isNotNull();

    store.evictOutput(id, stored.pieces(), System.currentTimeMillis() + 30_000).await();
    StoredRecord after = store.record(id).await();
    assertThat(after.result().retention().evicted()).isTrue();
    assertThat(after.result().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(after.has(OutputPart.STDOUT)).isFalse();
    assertThat(after.has(OutputPart.STDERR)).isFalse();
    assertThat(after.result().toJson().getBoolean("outputEvicted")).isTrue();
    assertThat(after.result().toJson().containsKey("stdout")).isFalse();
    // a reader that started before never gets a short text passed off as whole
    assertThatThrownBy(() -> reading.next().await())
      .isInstanceOf(GatewayException.class).hasMessageContaining("evicted");
  }

  @Test
  void aRecordKeepsItsFilesUntilItsOutputIsEvicted() {
    String id = id();
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    OutputFiles files = new OutputFiles(List.of(new OutputFile("sub/b.bin", "application/octet-stream", bytes),
      new OutputFile("plot.png", "image/png", new byte[0])), true);
    StoredRecord stored = store.put(result(id, null).withFiles(files), Map.of(OutputPart.STDOUT, List.of("x")))
      .await();
    ExecutionResult read = store.full(id).await();
    assertThat(read.files()).isEqualTo(files);
    assertThat(read.toJson().getJsonArray("files").getJsonObject(0).getString("content"))
      .isEqualTo(java.util.Base64.getEncoder().encodeToString(bytes));
    assertThat(read.toJson().getBoolean("outputFilesTruncated")).isTrue();
    // the exit frame carries them: no other frame does
    assertThat(read.withoutOutput().files()).isEqualTo(files);
    assertThat(io.execgate.model.Frame.exit(1, 2, read).weight()).isGreaterThan(files.encodedBytes());
    assertThat(result(id(), null).toJson().containsKey("files")).isFalse();

    store.evictOutput(id, stored.pieces(), System.currentTimeMillis() + 30_000).await();
    ExecutionResult after = store.get(id).await();
    assertThat(after.files()).isNull();
    assertThat(after.toJson().containsKey("files")).isFalse();
    assertThat(after.retention().evicted()).isTrue();
  }

  @Test
  void aRecordKeepsACellsRichOutputsAndItsRebuiltStreamSendsThemBeforeExit() {
    String id = id();
    DisplayOutputs outputs = new DisplayOutputs(List.of(new DisplayOutput("text/html", "<b>hi</b>"),
      new DisplayOutput("image/png", "iVBORw0KGgo=")), true);
    StoredRecord stored = store.put(result(id, null).withOutputs(outputs), Map.of(OutputPart.STDOUT, List.of("H()\n")))
      .await();
    assertThat(store.full(id).await().outputs()).isEqualTo(outputs);

    // once its frames are retired, the stream is rebuilt from the record: output, displays, exit
    RecordFrames frames = new RecordFrames(store, stored);
    List<Frame> all = frames.page(0).await();
    assertThat(all).hasSize((int) frames.size());
    assertThat(all).extracting(Frame::type).containsExactly(Frame.Type.ACCEPTED, Frame.Type.STATUS,
      Frame.Type.STDOUT, Frame.Type.DISPLAY, Frame.Type.DISPLAY, Frame.Type.EXIT);
    assertThat(all).extracting(Frame::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(all.get(3).display()).isEqualTo(outputs.items().get(0));
    assertThat(all.get(4).display()).isEqualTo(outputs.items().get(1));
    assertThat(all.get(5).toJson().containsKey("outputs")).isFalse();
    assertThat(all.get(5).toJson().getBoolean("outputsTruncated")).isTrue();

    store.evictOutput(id, stored.pieces(), System.currentTimeMillis() + 30_000).await();
    assertThat(store.get(id).await().outputs()).isNull();
  }

  @Test
  void aRecordEvictedDuringItsRunIsWrittenWithoutOutput() {
    String id = id();
    ExecutionResult evicted = result(id, null).withOutputEvicted();
    store.put(evicted, Map.of(OutputPart.STDOUT, List.of("ignored"))).await();
    ExecutionResult read = store.get(id).await();
    assertThat(read.stdout()).isNull();
    assertThat(read.retention().evicted()).isTrue();
  }

  @Test
  void aRecordGivenWithItsTextsIsSplitAsNeeded() {
    String id = id();
    String big = "z".repeat(ExecutionStore.INLINE_CHARS + 1);
    store.put(new ExecutionResult(id, ExecutionStatus.FAILED, 1, null, big, "", false, false, "img", "sh", 1L, 1L,
      Usage.UNKNOWN, null, 1L)).await();
    StoredRecord record = store.record(id).await();
    assertThat(record.pieces()).containsOnlyKeys(OutputPart.STDOUT);
    assertThat(store.full(record).await().stdout()).isEqualTo(big);
  }
}
