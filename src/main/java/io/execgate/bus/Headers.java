package io.execgate.bus;

/**
 * Event-bus headers the gateway's messages carry besides their bodies.
 */
public final class Headers {

  /** On an admit: the id of the API key the execution is charged to. */
  public static final String OWNER = "execgate-owner";
  /** On an admit: how many executions that key may have admitted at once. */
  public static final String OWNER_MAX = "execgate-owner-max";

  private Headers() {
  }
}
