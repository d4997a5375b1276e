package io.execgate.store;

import io.vertx.core.Future;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * A text read piece by piece, each piece asked for only when the previous one was taken: how a
 * record's output reaches a client without ever being whole in memory.
 */
@FunctionalInterface
public interface TextSource {

  /**
   * @return the next piece, or {@code null} when there is none left
   */
  Future<String> next();

  /**
   * @return a source of the given pieces
   */
  static TextSource of(List<String> pieces) {
    ArrayDeque<String> left = new ArrayDeque<>(pieces);
    return () -> Future.succeededFuture(left.poll());
  }

  /**
   * @return a source of one text ({@code null}: an empty one)
   */
  static TextSource of(String text) {
    return of(text == null || text.isEmpty() ? List.of() : List.of(text));
  }

  /**
   * @return the sources one after the other
   */
  static TextSource concat(TextSource... sources) {
    ArrayDeque<TextSource> left = new ArrayDeque<>(Arrays.asList(sources));
    return new TextSource() {
      @Override
      public Future<String> next() {
        TextSource current = left.peek();
        if (current == null) {
          return Future.succeededFuture(null);
        }
        return current.next().compose(piece -> {
          if (piece != null) {
            return Future.succeededFuture(piece);
          }
          left.poll();
          return next();
        });
      }
    };
  }

  /**
   * Reads the whole text: only for callers that want it in memory (an embedding application's
   * {@code ExecutionClient}).
   */
  static Future<String> join(TextSource source) {
    StringBuilder text = new StringBuilder();
    return appendAll(source, text).map(v -> text.toString());
  }

  private static Future<Void> appendAll(TextSource source, StringBuilder text) {
    return source.next().compose(piece -> {
      if (piece == null) {
        return Future.succeededFuture();
      }
      text.append(piece);
      return appendAll(source, text);
    });
  }
}
