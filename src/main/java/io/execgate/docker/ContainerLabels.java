package io.execgate.docker;

import java.util.Map;

/**
 * The labels every sandbox container carries, so that anything left behind can be found and removed.
 */
public final class ContainerLabels {

  /** Marks a container as created by an execgate gateway. */
  public static final String MANAGED = "execgate.managed";
  /** The gateway instance that created it; orphans of an instance are reaped when it starts. */
  public static final String INSTANCE = "execgate.instance";
  /** The execution it serves. */
  public static final String EXECUTION = "execgate.execution";

  /** The value of {@link #EXECUTION} on a warm container that no execution has taken yet. */
  public static final String WARM = "warm";

  private ContainerLabels() {
  }

  public static Map<String, String> of(String instanceId, String executionId) {
    return Map.of(MANAGED, "true", INSTANCE, instanceId, EXECUTION, executionId);
  }

  public static Map<String, String> ofInstance(String instanceId) {
    return Map.of(MANAGED, "true", INSTANCE, instanceId);
  }
}
