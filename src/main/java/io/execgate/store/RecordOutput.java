package io.execgate.store;

import io.execgate.model.DisplayOutputs;
import io.execgate.model.OutputFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The output an execution's record will hold: of each stream of each step, its first
 * {@code maxStreamBytes}, reserved against the node's {@link OutputBudget} as it arrives. When the
 * budget cannot make room, the record keeps no output and says so ({@code outputEvicted}); the live
 * stream is not affected either way. Lives on the execution's context.
 */
public final class RecordOutput {

  private static final Logger log = LoggerFactory.getLogger(RecordOutput.class);

  private final long maxStreamBytes;
  private final OutputBudget.Reservation reservation;
  private final Map<OutputPart, RetainedText> texts = new EnumMap<>(OutputPart.class);
  private boolean evicted;
  /** What the record's files take (base64), charged with the texts. */
  private long filesBytes;

  /**
   * @param reservation what the texts are charged to, or {@code null} for no budget
   */
  public RecordOutput(long maxStreamBytes, OutputBudget.Reservation reservation) {
    this.maxStreamBytes = maxStreamBytes;
    this.reservation = reservation;
    reset();
  }

  /**
   * @return a record output without bound or budget
   */
  public static RecordOutput unbounded() {
    return new RecordOutput(Long.MAX_VALUE, null);
  }

  private void reset() {
    for (OutputPart part : OutputPart.values()) {
      texts.put(part, new RetainedText(maxStreamBytes));
    }
  }

  public void append(OutputPart part, String text) {
    if (evicted) {
      return;
    }
    if (!texts.get(part).append(text, reservation == null ? bytes -> true : reservation::take)) {
      evict();
    }
  }

  /** The budget could not make room: the record keeps no output at all, and gives back what it held. */
  private void evict() {
    evicted = true;
    reset();
    reservation.release();
  }

  /**
   * Charges {@code bytes} of files or outputs to the budget, evicting everything when it cannot.
   *
   * @return whether they are kept
   */
  private boolean charge(long bytes) {
    if (evicted) {
      return false;
    }
    if (reservation != null && bytes > 0 && !reservation.take(bytes)) {
      evict();
      return false;
    }
    filesBytes += bytes;
    return true;
  }

  /**
   * Charges the files the program left to the budget, with the texts: when it cannot make room, the
   * record keeps no output at all (files included), as for a text.
   *
   * @return the files the record keeps, or {@code null} when none (or none fit)
   */
  public OutputFiles files(OutputFiles files) {
    return files != null && charge(files.encodedBytes()) ? files : null;
  }

  /**
   * Charges a stateful cell's rich outputs to the budget, as {@link #files} does.
   *
   * @return the outputs the record keeps, or {@code null} when none (or none fit)
   */
  public DisplayOutputs outputs(DisplayOutputs outputs) {
    return outputs != null && charge(outputs.encodedBytes()) ? outputs : null;
  }

  /**
   * @return whether the budget took the record's output away
   */
  public boolean evicted() {
    return evicted;
  }

  public String text(OutputPart part) {
    return texts.get(part).text();
  }

  public long omittedBytes(OutputPart part) {
    return evicted ? 0 : texts.get(part).omittedBytes();
  }

  /**
   * @return the texts to store, in pieces
   */
  public Map<OutputPart, List<String>> pieces() {
    Map<OutputPart, List<String>> all = new EnumMap<>(OutputPart.class);
    if (!evicted) {
      texts.forEach((part, text) -> all.put(part, text.pieces()));
    }
    return all;
  }

  /**
   * The record is written: its output stays charged to the budget, evictable, until it expires.
   */
  public void stored(ExecutionStore store, StoredRecord record, long ttlMs) {
    if (reservation == null) {
      return;
    }
    long bytes = texts.values().stream().mapToLong(RetainedText::keptBytes).sum() + filesBytes;
    int pieces = record.pieces().values().stream().mapToInt(StoredRecord.Pieces::count).sum();
    long expiresAt = System.currentTimeMillis() + ttlMs;
    String id = record.result().id();
    reservation.stored(id, evicted ? 0 : bytes + (long) pieces * ExecutionStore.PIECE_OVERHEAD_BYTES,
      expiresAt + (pieces > 0 ? ExecutionStore.PIECE_TTL_MARGIN_MS : 0),
      () -> store.evictOutput(id, record.pieces(), expiresAt)
        .onSuccess(v -> log.atInfo().addKeyValue("execution", id)
          .log("output evicted from the record ({} bytes): the retained-output budget was full", bytes))
        .onFailure(err -> log.atWarn().addKeyValue("execution", id).log("evicting the record's output failed: {}",
          err.getMessage())));
  }

  /**
   * Gives the reservation back (the record was not written, or the run failed).
   */
  public void release() {
    if (reservation != null) {
      reservation.release();
    }
  }
}
