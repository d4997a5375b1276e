package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * One event of an execution's stream, as sent over WebSocket, SSE and NDJSON. Every frame carries
 * {@code type}, {@code seq} (per execution, from 0, without gaps) and {@code t} (milliseconds since
 * submit); the other components are set according to the type.
 *
 * @param type    the kind of frame
 * @param seq     its position in the execution's stream
 * @param t       milliseconds since submit
 * @param id      the execution id ({@code accepted})
 * @param status  the new status ({@code status})
 * @param data    UTF-8 text ({@code stdout}, {@code stderr}); never splits a character
 * @param stream  {@code stdout} or {@code stderr} ({@code truncated})
 * @param bytes   bytes kept before the cap ({@code truncated})
 * @param result  the final result without its output ({@code exit})
 * @param code    the error code ({@code error})
 * @param message the error message ({@code error})
 * @param stage   {@code compile} on the output of a compile step ({@code stdout}, {@code stderr},
 *                {@code truncated}); {@code null} for the run step's
 * @param test    the index of the test case whose output or verdict this is ({@code stdout}, {@code stderr},
 *                {@code truncated}, {@code test}), or {@code null}
 * @param verdict the test case's result without its output ({@code test})
 * @param exitCode the compile step's exit code ({@code compiled})
 * @param mediaType what {@code data} is ({@code display}): text for {@code text/*} and {@code image/svg+xml},
 *                base64 otherwise
 */
public record Frame(Type type, long seq, long t, String id, ExecutionStatus status, String data, String stream,
                    Long bytes, ExecutionResult result, String code, String message, String stage, Integer test,
                    TestResult verdict, Integer exitCode, String mediaType) {

  /**
   * A frame without {@code mediaType}.
   */
  public Frame(Type type, long seq, long t, String id, ExecutionStatus status, String data, String stream,
               Long bytes, ExecutionResult result, String code, String message, String stage, Integer test,
               TestResult verdict, Integer exitCode) {
    this(type, seq, t, id, status, data, stream, bytes, result, code, message, stage, test, verdict, exitCode, null);
  }

  /**
   * A frame without {@code exitCode}.
   */
  public Frame(Type type, long seq, long t, String id, ExecutionStatus status, String data, String stream,
               Long bytes, ExecutionResult result, String code, String message, String stage, Integer test,
               TestResult verdict) {
    this(type, seq, t, id, status, data, stream, bytes, result, code, message, stage, test, verdict, null);
  }

  /** The {@code stage} of frames that carry a compile step's output. */
  public static final String COMPILE_STAGE = "compile";
  /**
   * Heap a frame takes besides its text's characters, about: the record, its string, the string's
   * array header and a queue's slot (measured: a queue of 1,000,000 one-character output frames took 125 MB).
   */
  public static final int OVERHEAD_BYTES = 128;

  /**
   * A frame of no test case.
   */
  public Frame(Type type, long seq, long t, String id, ExecutionStatus status, String data, String stream,
               Long bytes, ExecutionResult result, String code, String message, String stage) {
    this(type, seq, t, id, status, data, stream, bytes, result, code, message, stage, null, null);
  }

  /**
   * A frame of the run step (no {@code stage}).
   */
  public Frame(Type type, long seq, long t, String id, ExecutionStatus status, String data, String stream,
               Long bytes, ExecutionResult result, String code, String message) {
    this(type, seq, t, id, status, data, stream, bytes, result, code, message, null);
  }

  /**
   * The kinds of frames.
   */
  public enum Type {
    ACCEPTED, STATUS, STDOUT, STDERR, TRUNCATED, EXIT, ERROR, KEEPALIVE, TEST, COMPILED, DISPLAY;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Type of(String id) {
      return valueOf(id.toUpperCase(Locale.ROOT));
    }
  }

  public static Frame accepted(long seq, long t, String id) {
    return new Frame(Type.ACCEPTED, seq, t, id, null, null, null, null, null, null, null);
  }

  public static Frame status(long seq, long t, ExecutionStatus status) {
    return new Frame(Type.STATUS, seq, t, null, status, null, null, null, null, null, null);
  }

  public static Frame output(long seq, long t, boolean stderr, String data) {
    return new Frame(stderr ? Type.STDERR : Type.STDOUT, seq, t, null, null, data, null, null, null, null, null);
  }

  public static Frame truncated(long seq, long t, boolean stderr, long bytes) {
    return new Frame(Type.TRUNCATED, seq, t, null, null, null, stderr ? "stderr" : "stdout", bytes, null, null, null);
  }

  /**
   * @param stage {@link #COMPILE_STAGE} for output of the compile step, {@code null} for the run step's
   * @return this frame in {@code stage}
   */
  public Frame inStage(String stage) {
    return new Frame(type, seq, t, id, status, data, stream, bytes, result, code, message, stage, test, verdict,
      exitCode, mediaType);
  }

  /**
   * @param testIndex the test case whose output this frame carries, or {@code null}
   * @return this frame, of that test case
   */
  public Frame ofTest(Integer testIndex) {
    return testIndex == null ? this
      : new Frame(type, seq, t, id, status, data, stream, bytes, result, code, message, stage, testIndex, verdict,
        exitCode, mediaType);
  }

  /**
   * @return the frame that tells test case {@code index}'s verdict, as soon as it is decided
   */
  public static Frame test(long seq, long t, int index, TestResult result) {
    return new Frame(Type.TEST, seq, t, null, null, null, null, null, null, null, null, null, index,
      result.withoutOutput());
  }

  /**
   * @return the frame that tells the compile step ended with {@code exitCode}, as soon as it ends (the
   *   run step follows when it is 0); its {@code stage} is {@link #COMPILE_STAGE}
   */
  public static Frame compiled(long seq, long t, int exitCode) {
    return new Frame(Type.COMPILED, seq, t, null, null, null, null, null, null, null, null, COMPILE_STAGE, null, null,
      exitCode);
  }

  /**
   * @return the frame of one rich result of a stateful Python cell (a figure, a representation of its
   *   last expression), sent when the cell ended, before {@code exit}
   */
  public static Frame display(long seq, long t, DisplayOutput output) {
    return new Frame(Type.DISPLAY, seq, t, null, null, output.data(), null, null, null, null, null, null, null, null,
      null, output.mediaType());
  }

  /**
   * @return the output a {@code display} frame carries
   */
  public DisplayOutput display() {
    return new DisplayOutput(mediaType, data);
  }

  public static Frame exit(long seq, long t, ExecutionResult result) {
    return new Frame(Type.EXIT, seq, t, null, null, null, null, null, result.withoutOutput(), null, null);
  }

  public static Frame error(long seq, long t, String code, String message) {
    return new Frame(Type.ERROR, seq, t, null, null, null, null, null, null, code, message);
  }

  public static Frame keepalive(long seq, long t) {
    return new Frame(Type.KEEPALIVE, seq, t, null, null, null, null, null, null, null, null);
  }

  /**
   * @return what this frame weighs in the buffers that hold frames (replay retention, a client's
   *   buffer): {@link #OVERHEAD_BYTES} plus its text's length, so that a flood of tiny frames is
   *   counted by the heap it takes and not only by its payload
   */
  public long weight() {
    return OVERHEAD_BYTES + (data == null ? 0 : data.length())
      + (result == null || result.files() == null ? 0 : result.files().encodedBytes())
      + (mediaType == null ? 0 : mediaType.length());
  }

  /**
   * @return whether this frame ends the stream
   */
  public boolean isTerminal() {
    return type == Type.EXIT;
  }

  public JsonObject toJson() {
    JsonObject json = result != null ? result.toJson() : new JsonObject();
    json.put("type", type.id()).put("seq", seq).put("t", t);
    if (id != null) {
      json.put("id", id);
    }
    if (status != null) {
      json.put("status", status.id());
    }
    if (data != null) {
      json.put("data", data);
    }
    if (stream != null) {
      json.put("stream", stream);
    }
    if (bytes != null) {
      json.put("bytes", bytes);
    }
    if (code != null) {
      json.put("code", code);
    }
    if (message != null) {
      json.put("message", message);
    }
    if (stage != null) {
      json.put("stage", stage);
    }
    if (verdict != null) {
      verdict.toJson().forEach(e -> json.put(e.getKey(), e.getValue()));
    }
    if (test != null) {
      json.put("test", test);
    }
    if (exitCode != null) {
      json.put("exitCode", exitCode);
    }
    if (mediaType != null) {
      json.put("mediaType", mediaType);
    }
    return json;
  }

  public static Frame fromJson(JsonObject json) {
    Type type = Type.of(json.getString("type"));
    ExecutionResult result = type == Type.EXIT ? ExecutionResult.fromJson(json) : null;
    String status = json.getString("status");
    return new Frame(type, json.getLong("seq"), json.getLong("t"),
      type == Type.EXIT ? null : json.getString("id"),
      type == Type.STATUS && status != null ? ExecutionStatus.of(status) : null,
      json.getString("data"), json.getString("stream"), json.getLong("bytes"), result,
      json.getString("code"), type == Type.EXIT ? null : json.getString("message"),
      type == Type.EXIT ? null : json.getString("stage"),
      type == Type.EXIT ? null : json.getInteger("test"),
      type == Type.TEST ? TestResult.fromJson(json) : null,
      type == Type.COMPILED ? json.getInteger("exitCode") : null,
      type == Type.DISPLAY ? json.getString("mediaType") : null);
  }
}
