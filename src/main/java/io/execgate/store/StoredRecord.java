package io.execgate.store;

import io.execgate.model.ExecutionResult;

import java.util.Map;

/**
 * A record as the store holds it: the result, with the texts that are small enough inline, and
 * where the others are (in pieces, read one at a time with {@link ExecutionStore#text}).
 *
 * @param result the result; a text stored in pieces is {@code null} in it
 * @param pieces the texts stored in pieces, with how many pieces and characters each has
 */
public record StoredRecord(ExecutionResult result, Map<OutputPart, Pieces> pieces) {

  public StoredRecord {
    pieces = Map.copyOf(pieces);
  }

  /**
   * Where one text is when it is not inline.
   *
   * @param count how many pieces
   * @param chars its length in characters
   */
  public record Pieces(int count, long chars) {
  }

  /**
   * @return whether the record holds {@code part} (inline or in pieces)
   */
  public boolean has(OutputPart part) {
    return pieces.containsKey(part) || inline(part) != null;
  }

  /**
   * @return the text of {@code part} when it is inline, else {@code null}
   */
  public String inline(OutputPart part) {
    return switch (part) {
      case STDOUT -> result.stdout();
      case STDERR -> result.stderr();
      case COMPILE_STDOUT -> result.compile() == null ? null : result.compile().stdout();
      case COMPILE_STDERR -> result.compile() == null ? null : result.compile().stderr();
    };
  }

  /**
   * @return the length of {@code part} in characters (0 when the record does not hold it)
   */
  public long chars(OutputPart part) {
    Pieces p = pieces.get(part);
    if (p != null) {
      return p.chars();
    }
    String text = inline(part);
    return text == null ? 0 : text.length();
  }
}
