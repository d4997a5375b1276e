package io.execgate.cluster;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster session's id names its worker: {@code s<24 hex>-<the worker's node id, 32 hex>}, so that a
 * gateway routes every call for it by the id alone, without a shared lookup that a member could
 * rewrite. The id is no credential: a made-up one that names a live worker reaches that worker, which
 * knows no such session ({@code 404}, the answer of any unknown id); the random part stays unguessable.
 */
public final class SessionIds {

  private static final Pattern NODE_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern CLUSTER_ID = Pattern.compile("s[0-9a-f]{24}-([0-9a-f]{32})");

  private SessionIds() {
  }

  /**
   * @param nodeId a worker's node id (a UUID, as Hazelcast gives it)
   * @return what ends the ids of the sessions that worker creates
   * @throws IllegalArgumentException when {@code nodeId} is not a UUID
   */
  public static String suffix(String nodeId) {
    if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("a cluster node id must be a lower-case UUID, got '" + nodeId + "'");
    }
    return "-" + nodeId.replace("-", "");
  }

  /**
   * @return the node id of the worker a session id names, or {@code null} when it names none
   */
  public static String node(String sessionId) {
    Matcher m = sessionId == null ? null : CLUSTER_ID.matcher(sessionId);
    if (m == null || !m.matches()) {
      return null;
    }
    String h = m.group(1);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-"
      + h.substring(20);
  }
}
