package io.execgate.model;

/**
 * The life of an execution: four live states, then exactly one final state.
 */
public enum ExecutionStatus {

  QUEUED("queued", false),
  PULLING("pulling", false),
  STARTING("starting", false),
  RUNNING("running", false),
  /** The program exited with 0. */
  SUCCEEDED("succeeded", true),
  /** The program exited with another code, or was killed by a signal it was sent. */
  FAILED("failed", true),
  /** Killed at its wall-clock deadline. */
  TIMEOUT("timeout", true),
  /** The engine reported that the memory limit killed a process of the sandbox. */
  OOM_KILLED("oom_killed", true),
  /** Killed because a stream passed its output cap. */
  OUTPUT_LIMIT("output_limit", true),
  CANCELLED("cancelled", true),
  /** An infrastructure failure (image missing, engine unreachable, ...); the message says which. */
  ERROR("error", true);

  private final String id;
  private final boolean terminal;

  ExecutionStatus(String id, boolean terminal) {
    this.id = id;
    this.terminal = terminal;
  }

  /**
   * @return the wire name, e.g. {@code oom_killed}
   */
  public String id() {
    return id;
  }

  /**
   * @return whether no further transition can follow
   */
  public boolean isFinal() {
    return terminal;
  }

  /**
   * @param id a wire name
   * @return the status with that name
   * @throws IllegalArgumentException for an unknown name
   */
  public static ExecutionStatus of(String id) {
    for (ExecutionStatus s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown status " + id);
  }
}
