package io.execgate.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * Carries an immutable record over the event bus: the instance itself locally, length-prefixed
 * UTF-8 JSON on the wire.
 *
 * @param <T> the record type
 */
public final class RecordCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  public RecordCodec(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.type = Objects.requireNonNull(type);
    this.toJson = Objects.requireNonNull(toJson);
    this.fromJson = Objects.requireNonNull(fromJson);
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    byte[] bytes = toJson.apply(value).encode().getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    String json = buffer.getString(pos + 4, pos + 4 + length, StandardCharsets.UTF_8.name());
    return fromJson.apply(new JsonObject(json));
  }

  @Override
  public T transform(T value) {
    // records are immutable: local delivery shares the instance
    return value;
  }

  @Override
  public String name() {
    return "execgate." + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
