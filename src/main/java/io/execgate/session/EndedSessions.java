package io.execgate.session;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Sessions that ended a short while ago, so that their owner gets {@code 410} with the reason (then, once
 * the retention is over, {@code 404} like any unknown id). Owned by the session verticle's context.
 */
final class EndedSessions {

  private record Ended(String owner, String reason, long at) {
  }

  private final Map<String, Ended> ended = new HashMap<>();
  private final long retentionMs;

  EndedSessions(long retentionMs) {
    this.retentionMs = retentionMs;
  }

  void add(String id, String owner, String reason) {
    ended.put(id, new Ended(owner, reason, System.currentTimeMillis()));
  }

  /**
   * @throws GatewayException {@code 410 session_ended} with the reason when {@code id} ended within the
   *   retention and the caller owns it (or is an admin); otherwise returns
   */
  void checkEnded(String id, String owner, boolean admin) {
    Ended e = ended.get(id);
    if (e != null && (admin || e.owner().equals(owner))) {
      throw new GatewayException(ErrorCode.SESSION_ENDED, "session " + id + " has ended: " + e.reason());
    }
  }

  /** Forgets what ended before the retention. */
  void prune(long nowMs) {
    for (Iterator<Ended> it = ended.values().iterator(); it.hasNext(); ) {
      if (nowMs - it.next().at() > retentionMs) {
        it.remove();
      }
    }
  }
}
