package io.execgate.store;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Execution records in a Vert.x shared {@link AsyncMap}, with a time to live: local when the
 * gateway runs alone, cluster-wide when its Vertx is clustered. Values are stored as JSON, which
 * every cluster manager can carry. A record's small texts are inline; a larger one is stored in
 * pieces in a second map, so that a reader (on any node) holds one piece at a time, asked for only
 * when the client took the previous one.
 */
public final class ExecutionStore {

  /** Texts up to this length stay inline in their record. */
  public static final int INLINE_CHARS = 16 * 1024;
  /** Length of the pieces a larger text is stored in. */
  public static final int PIECE_CHARS = 32 * 1024;
  /** What one stored piece takes besides its text: its entry, key and JSON object. */
  public static final int PIECE_OVERHEAD_BYTES = 256;
  /** Pieces outlive their record by this much, so that whoever read the record finds them all. */
  public static final long PIECE_TTL_MARGIN_MS = 60_000;
  private static final String PIECES = "outputPieces";
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final AsyncMap<String, JsonObject> map;
  private final AsyncMap<String, JsonObject> pieces;
  private final long ttlMs;
  private final String worker;

  private ExecutionStore(AsyncMap<String, JsonObject> map, AsyncMap<String, JsonObject> pieces, long ttlMs,
                         String worker) {
    this.map = map;
    this.pieces = pieces;
    this.ttlMs = ttlMs;
    this.worker = worker;
  }

  /**
   * @param name  the map's name (per gateway)
   * @param ttlMs how long a record lives after its last write
   */
  public static Future<ExecutionStore> open(Vertx vertx, String name, long ttlMs) {
    Future<AsyncMap<String, JsonObject>> records = vertx.sharedData().getAsyncMap(name);
    Future<AsyncMap<String, JsonObject>> texts = vertx.sharedData().getAsyncMap(name + ".output");
    return Future.all(records, texts).map(v -> new ExecutionStore(records.result(), texts.result(), ttlMs, null));
  }

  /**
   * @param worker the instance id of the cluster worker that writes through this store
   * @return a store over the same map that stamps every record it writes with {@code worker}
   */
  public ExecutionStore stampedBy(String worker) {
    return new ExecutionStore(map, pieces, ttlMs, worker);
  }

  /**
   * @return {@code record} as this store writes it: with its worker, when the store has one
   */
  public ExecutionResult stamped(ExecutionResult record) {
    return worker == null ? record : record.withWorker(worker);
  }

  /**
   * Writes a record with the texts it carries.
   */
  public Future<Void> put(ExecutionResult record) {
    Map<OutputPart, List<String>> texts = new EnumMap<>(OutputPart.class);
    for (OutputPart part : OutputPart.values()) {
      String text = new StoredRecord(record, Map.of()).inline(part);
      if (text != null) {
        texts.put(part, split(text));
      }
    }
    return put(record, texts).mapEmpty();
  }

  /**
   * Writes a final record with its texts, given in pieces of at most about {@link #PIECE_CHARS}: a
   * small text inline, a larger one in pieces, written before the record so that a reader of the
   * record finds them. The run's texts (and a compile step's) are written even when empty; a record
   * whose output was evicted holds none.
   *
   * @param header the record; its own texts are ignored
   */
  public Future<StoredRecord> put(ExecutionResult header, Map<OutputPart, List<String>> texts) {
    ExecutionResult record = stamped(header);
    if (!record.status().isFinal()) {
      return map.put(record.id(), record.toJson(), ttlMs).map(v -> new StoredRecord(record, Map.of()));
    }
    if (record.retention().evicted()) {
      ExecutionResult none = record.withOutputEvicted();
      return map.put(record.id(), none.toJson(), ttlMs).map(v -> new StoredRecord(none, Map.of()));
    }
    Map<OutputPart, StoredRecord.Pieces> stored = new EnumMap<>(OutputPart.class);
    String[] inline = new String[OutputPart.values().length];
    List<Future<Void>> writes = new ArrayList<>();
    for (OutputPart part : OutputPart.values()) {
      if (part.compile() && record.compile() == null) {
        continue;
      }
      List<String> text = texts.getOrDefault(part, List.of());
      long chars = text.stream().mapToLong(String::length).sum();
      if (chars <= INLINE_CHARS) {
        inline[part.ordinal()] = String.join("", text);
        continue;
      }
      stored.put(part, new StoredRecord.Pieces(text.size(), chars));
      for (int i = 0; i < text.size(); i++) {
        writes.add(pieces.put(pieceKey(record.id(), part, i), new JsonObject().put("t", text.get(i)),
          ttlMs + PIECE_TTL_MARGIN_MS));
      }
    }
    ExecutionResult withInline = record.withOutput(inline[0], inline[1], inline[2], inline[3]);
    JsonObject json = withInline.toJson();
    if (!stored.isEmpty()) {
      JsonObject where = new JsonObject();
      stored.forEach((part, p) -> where.put(part.key(), new JsonObject().put("count", p.count()).put("chars", p.chars())));
      json.put(PIECES, where);
    }
    return Future.all(writes)
      .compose(v -> map.put(record.id(), json, ttlMs))
      .map(v -> new StoredRecord(withInline, stored));
  }

  /**
   * @return the record without the texts stored in pieces (a small text is inline), or {@code null}
   *   when there is none (unknown or expired)
   */
  public Future<ExecutionResult> get(String id) {
    return map.get(id).map(json -> json == null ? null : ExecutionResult.fromJson(json));
  }

  /**
   * @return the record and where its texts are, or {@code null} when there is none
   */
  public Future<StoredRecord> record(String id) {
    return map.get(id).map(json -> json == null ? null : fromJson(json));
  }

  /**
   * @return the record without the texts stored in pieces, or a failed future with
   *   {@code not_found} when there is none (or the id is not an execution id at all)
   */
  public Future<ExecutionResult> require(String id) {
    return requireRecord(id).map(StoredRecord::result);
  }

  /**
   * @return the record and where its texts are, or a failed future with {@code not_found}
   */
  public Future<StoredRecord> requireRecord(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Future.failedFuture(notFound(id));
    }
    return record(id).compose(r -> r == null ? Future.failedFuture(notFound(id)) : Future.succeededFuture(r));
  }

  /**
   * @return the failure of a read of an execution that does not exist, or that the caller may not see:
   *   the two must be told apart by nothing
   */
  public static GatewayException notFound(String id) {
    return new GatewayException(ErrorCode.NOT_FOUND, "no execution " + id + " (unknown, or its record expired)");
  }

  /**
   * @return one text of a record, read a piece at a time (empty when the record does not hold it);
   *   fails when a piece is gone (the output was evicted while it was being read)
   */
  public TextSource text(StoredRecord record, OutputPart part) {
    StoredRecord.Pieces where = record.pieces().get(part);
    if (where == null) {
      return TextSource.of(record.inline(part));
    }
    String id = record.result().id();
    int[] next = {0};
    return () -> {
      if (next[0] >= where.count()) {
        return Future.succeededFuture(null);
      }
      return pieces.get(pieceKey(id, part, next[0]++)).compose(json -> json == null || json.getString("t") == null
        ? Future.failedFuture(new GatewayException(ErrorCode.NOT_FOUND, "the output of execution " + id
        + " was evicted while it was being read"))
        : Future.succeededFuture(json.getString("t")));
    };
  }

  /**
   * @return the record with all its texts in memory: for callers that want it whole (an embedding
   *   application's {@code ExecutionClient}); the HTTP API streams them instead
   */
  public Future<ExecutionResult> full(StoredRecord record) {
    if (record.pieces().isEmpty()) {
      return Future.succeededFuture(record.result());
    }
    List<Future<String>> texts = new ArrayList<>();
    for (OutputPart part : OutputPart.values()) {
      texts.add(record.has(part) ? TextSource.join(text(record, part)) : Future.succeededFuture(null));
    }
    return Future.all(texts).map(v -> record.result().withOutput(texts.get(0).result(), texts.get(1).result(),
      texts.get(2).result(), texts.get(3).result()));
  }

  /**
   * @return the record with all its texts in memory, or {@code not_found}
   */
  public Future<ExecutionResult> full(String id) {
    return requireRecord(id).compose(this::full);
  }

  /**
   * Evicts a final record's output: the record is rewritten without it, saying so, for the time it
   * had left, then its pieces are removed.
   *
   * @param pieces    where its texts were stored in pieces
   * @param expiresAt when the record expires (epoch ms)
   */
  public Future<Void> evictOutput(String id, Map<OutputPart, StoredRecord.Pieces> pieces, long expiresAt) {
    return map.get(id)
      .compose(json -> {
        long left = expiresAt - System.currentTimeMillis();
        if (json == null || left <= 0) {
          return Future.succeededFuture();
        }
        return map.put(id, ExecutionResult.fromJson(json).withOutputEvicted().toJson(), left);
      })
      .compose(v -> {
        List<Future<JsonObject>> removed = new ArrayList<>();
        pieces.forEach((part, p) -> {
          for (int i = 0; i < p.count(); i++) {
            removed.add(this.pieces.remove(pieceKey(id, part, i)));
          }
        });
        return Future.all(removed).mapEmpty();
      });
  }

  public long ttl(TimeUnit unit) {
    return unit.convert(ttlMs, TimeUnit.MILLISECONDS);
  }

  /**
   * @return {@code text} in pieces of about {@link #PIECE_CHARS}, never splitting a surrogate pair
   */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int end = Math.min(text.length(), i + PIECE_CHARS);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      out.add(text.substring(i, end));
      i = end;
    }
    return out;
  }

  private static String pieceKey(String id, OutputPart part, int index) {
    return id + "/" + part.key() + "/" + index;
  }

  private static StoredRecord fromJson(JsonObject json) {
    Map<OutputPart, StoredRecord.Pieces> stored = new EnumMap<>(OutputPart.class);
    JsonObject where = json.getJsonObject(PIECES);
    if (where != null) {
      for (OutputPart part : OutputPart.values()) {
        JsonObject p = where.getJsonObject(part.key());
        if (p != null) {
          stored.put(part, new StoredRecord.Pieces(p.getInteger("count"), p.getLong("chars")));
        }
      }
    }
    return new StoredRecord(ExecutionResult.fromJson(json), stored);
  }
}
