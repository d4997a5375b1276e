package io.execgate.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A page of an execution's retained frames, the executor's answer to a replay request.
 *
 * @param frames   consecutive frames from the requested seq (or from {@code firstSeq} when older
 *                 ones were dropped), at most one page
 * @param firstSeq the oldest frame still retained; a request below it cannot be served
 * @param nextSeq  the seq the next published frame will carry: every frame below it was published
 *                 before this page was built, every later one goes to the output address
 * @param ended    whether the execution has ended (its {@code exit} frame is published)
 */
public record FramePage(List<Frame> frames, long firstSeq, long nextSeq, boolean ended) {

  public FramePage {
    frames = List.copyOf(frames);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    frames.forEach(f -> array.add(f.toJson()));
    return new JsonObject().put("frames", array).put("firstSeq", firstSeq).put("nextSeq", nextSeq)
      .put("ended", ended);
  }

  public static FramePage fromJson(JsonObject json) {
    List<Frame> frames = new ArrayList<>();
    json.getJsonArray("frames").forEach(f -> frames.add(Frame.fromJson((JsonObject) f)));
    return new FramePage(frames, json.getLong("firstSeq"), json.getLong("nextSeq"), json.getBoolean("ended"));
  }
}
