package io.execgate.model;

import io.vertx.core.json.JsonObject;

/**
 * Counters of the image cache since it started, for monitoring.
 *
 * @param ensures        requests to make an image usable (an execution makes one, or two when it waits for a pull)
 * @param cacheHits      of those, answered from an image that was present locally, without a pull
 * @param pullsStarted   pulls started: one per image, however many requests wait for it
 * @param pullsSucceeded pulls that ended with the image present
 * @param pullsFailed    pulls that ended in failure, after their retries
 * @param pullAttempts   attempts of all pulls (a pull with two retries makes three)
 * @param retries        attempts made after a transient failure
 * @param refused        images refused by the sandbox check
 */
public record ImageStats(long ensures, long cacheHits, long pullsStarted, long pullsSucceeded, long pullsFailed,
                         long pullAttempts, long retries, long refused) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("ensures", ensures)
      .put("cacheHits", cacheHits)
      .put("pullsStarted", pullsStarted)
      .put("pullsSucceeded", pullsSucceeded)
      .put("pullsFailed", pullsFailed)
      .put("pullAttempts", pullAttempts)
      .put("retries", retries)
      .put("refused", refused);
  }

  public static ImageStats fromJson(JsonObject json) {
    return new ImageStats(json.getLong("ensures", 0L), json.getLong("cacheHits", 0L), json.getLong("pullsStarted", 0L),
      json.getLong("pullsSucceeded", 0L), json.getLong("pullsFailed", 0L), json.getLong("pullAttempts", 0L),
      json.getLong("retries", 0L), json.getLong("refused", 0L));
  }
}
