package io.execgate.docker;

/**
 * How a session's sandbox container is named and labelled: the executor reaches it by name, and the
 * sweeper tells it from an execution's container by its execution label.
 */
public final class SessionContainers {

  /** The prefix of a session container's {@link ContainerLabels#EXECUTION} label. */
  public static final String LABEL_PREFIX = "session-";

  private SessionContainers() {
  }

  /**
   * @return the name of the session's container
   */
  public static String name(String sessionId) {
    return "execgate-session-" + sessionId;
  }

  /**
   * @return the value of the session container's {@link ContainerLabels#EXECUTION} label
   */
  public static String label(String sessionId) {
    return LABEL_PREFIX + sessionId;
  }

  /**
   * @return whether a container's execution label marks a session's container
   */
  public static boolean isSession(String executionLabel) {
    return executionLabel != null && executionLabel.startsWith(LABEL_PREFIX);
  }
}
