package io.execgate.store;

import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.OutputFile;
import io.execgate.model.OutputFiles;
import io.execgate.model.OutputRetention;
import io.execgate.model.Usage;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a record keeps of an execution's texts: a prefix of each, bounded in UTF-8 bytes, never
 * splitting a character; the rest counted; pieces the store can write as they are; and nothing at
 * all, said so, when the budget cannot make room.
 */
class RecordOutputTest {

  @Test
  void aTextPastItsBoundKeepsItsFirstBytesAndCountsTheRest() {
    RecordOutput out = new RecordOutput(10, null);
    out.append(OutputPart.STDOUT, "hello ");
    out.append(OutputPart.STDOUT, "world, again");
    out.append(OutputPart.STDOUT, "!");
    assertThat(out.text(OutputPart.STDOUT)).isEqualTo("hello worl");
    assertThat(out.omittedBytes(OutputPart.STDOUT)).isEqualTo(9);
    // each text has its own bound
    out.append(OutputPart.STDERR, "e");
    assertThat(out.text(OutputPart.STDERR)).isEqualTo("e");
    assertThat(out.omittedBytes(OutputPart.STDERR)).isZero();
  }

  @Test
  void theBoundCountsUtf8BytesAndNeverSplitsACharacter() {
    RecordOutput out = new RecordOutput(7, null);
    // é is 2 bytes, € 3, 😀 a surrogate pair of 4
    out.append(OutputPart.STDOUT, "é€😀x");
    assertThat(out.text(OutputPart.STDOUT)).isEqualTo("é€");
    assertThat(out.omittedBytes(OutputPart.STDOUT)).isEqualTo(5);
    assertThat(RetainedText.utf8Length("é€😀x", 0, "é€😀x".length())).isEqualTo(10);
    // once cut, a later text that would fit is not kept either: the record holds a prefix, without holes
    RecordOutput prefix = new RecordOutput(3, null);
    prefix.append(OutputPart.STDOUT, "abcd");
    prefix.append(OutputPart.STDOUT, "");
    prefix.append(OutputPart.STDOUT, "e");
    assertThat(prefix.text(OutputPart.STDOUT)).isEqualTo("abc");
    assertThat(prefix.omittedBytes(OutputPart.STDOUT)).isEqualTo(2);
  }

  @Test
  void textsAreKeptInPiecesOfTheStoresSizeWithoutSplittingSurrogatePairs() {
    RecordOutput out = RecordOutput.unbounded();
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      String chunk = i % 7 == 0 ? "😀" : "0123456789abcde".substring(i % 15);
      all.append(chunk);
      out.append(OutputPart.STDOUT, chunk);
    }
    List<String> pieces = out.pieces().get(OutputPart.STDOUT);
    assertThat(String.join("", pieces)).isEqualTo(all.toString());
    assertThat(pieces.size()).isGreaterThan(1);
    for (String piece : pieces) {
      assertThat(piece.length()).isLessThanOrEqualTo(ExecutionStore.PIECE_CHARS);
      assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isFalse();
    }
  }

  @Test
  void whenTheBudgetRefusesTheRecordKeepsNoOutputAndSaysSo() {
    OutputBudget budget = new OutputBudget(1 << 20, 1 << 20, System::currentTimeMillis);
    OutputBudget.Reservation other = budget.open("other");
    assertThat(other.take(1 << 20)).isTrue();
    RecordOutput out = new RecordOutput(1 << 20, budget.open("a"));
    out.append(OutputPart.STDOUT, "small");
    assertThat(out.evicted()).as("the first block is always granted").isFalse();
    out.append(OutputPart.STDERR, "x".repeat((int) OutputBudget.BLOCK_BYTES));
    assertThat(out.evicted()).isTrue();
    assertThat(out.pieces()).isEmpty();
    assertThat(out.text(OutputPart.STDOUT)).isEmpty();
    assertThat(budget.used("a")).as("its reservation was given back").isZero();
    out.append(OutputPart.STDOUT, "more");
    assertThat(out.text(OutputPart.STDOUT)).isEmpty();
  }

  @Test
  void filesAreChargedWithTheTextsAndABudgetThatCannotHoldThemEvictsTheWholeOutput() {
    OutputBudget budget = new OutputBudget(1 << 20, 1 << 20, System::currentTimeMillis);
    RecordOutput out = new RecordOutput(1 << 20, budget.open("a"));
    out.append(OutputPart.STDOUT, "hi");
    OutputFiles small = new OutputFiles(List.of(new OutputFile("a.txt", "text/plain", new byte[3000])), false);
    assertThat(out.files(small)).isSameAs(small);
    assertThat(out.evicted()).isFalse();
    assertThat(budget.used("a")).isGreaterThanOrEqualTo(small.encodedBytes());

    OutputBudget.Reservation other = budget.open("other");
    assertThat(other.take((1 << 20) - OutputBudget.BLOCK_BYTES)).isTrue();
    RecordOutput full = new RecordOutput(1 << 20, budget.open("b"));
    full.append(OutputPart.STDOUT, "hi");
    OutputFiles big = new OutputFiles(List.of(new OutputFile("big.bin", "application/octet-stream",
      new byte[200_000])), false);
    assertThat(full.files(big)).isNull();
    assertThat(full.evicted()).isTrue();
    assertThat(full.text(OutputPart.STDOUT)).isEmpty();
    assertThat(budget.used("b")).isZero();
    assertThat(new RecordOutput(10, null).files(null)).isNull();
  }

  @Test
  void aStoredRecordIsChargedWithItsPiecesAndItsKeysNextRecordEvictsItNotAnotherKeys() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ExecutionStore store = ExecutionStore.open(vertx, "t.executions", 60_000).await();
      // room for one such record per key: the second of a key evicts its first
      OutputBudget budget = new OutputBudget(1 << 20, 100_000, System::currentTimeMillis);
      String text = "z".repeat(40_000);
      String a1 = run(store, budget, "a", text);
      long charged = 40_000 + 2L * ExecutionStore.PIECE_OVERHEAD_BYTES;
      assertThat(budget.used("a")).as("its text and its two pieces").isEqualTo(charged);
      String b1 = run(store, budget, "b", text);
      String a2 = run(store, budget, "a", text + "!");
      assertThat(budget.evictions()).isEqualTo(1);
      assertThat(budget.used("a")).isEqualTo(charged + 1);
      assertThat(budget.used("b")).isEqualTo(charged);

      StoredRecord evicted = awaitEvicted(store, a1);
      assertThat(evicted.result().status()).as("the result stays").isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(evicted.result().toJson().getBoolean("outputEvicted")).isTrue();
      assertThat(evicted.result().toJson().containsKey("stdout")).isFalse();
      assertThat(store.full(b1).await().stdout()).isEqualTo(text);
      assertThat(store.full(a2).await().stdout()).isEqualTo(text + "!");
    } finally {
      vertx.close().await();
    }
  }

  /**
   * An execution of {@code key} that printed {@code text}, its record written as an execution's is.
   *
   * @return its id
   */
  private static String run(ExecutionStore store, OutputBudget budget, String key, String text) {
    String id = UUID.randomUUID().toString();
    RecordOutput out = new RecordOutput(1 << 20, budget.open(key));
    out.append(OutputPart.STDOUT, text);
    ExecutionResult result = new ExecutionResult(id, ExecutionStatus.SUCCEEDED, 0, null, null, null, false, false,
      "img", "c", 5L, 1L, Usage.UNKNOWN, null, 1L, null, null, key,
      new OutputRetention(out.omittedBytes(OutputPart.STDOUT), 0, out.evicted()));
    StoredRecord record = store.put(result, out.pieces()).await();
    out.stored(store, record, 60_000);
    return id;
  }

  private static StoredRecord awaitEvicted(ExecutionStore store, String id) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    StoredRecord record = store.record(id).await();
    while (!record.result().retention().evicted() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      record = store.record(id).await();
    }
    return record;
  }
}
