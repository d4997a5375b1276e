package io.execgate.bus;

/**
 * Event-bus headers the gateway's messages carry besides their bodies.
 */
public final class Headers {

  /** On an admit: the id of the API key the execution is charged to. */
  public static final String OWNER = "execgate-owner";
  /** On an admit: how many executions that key may have admitted at once. */
  public static final String OWNER_MAX = "execgate-owner-max";
  /**
   * On an admit: the key's weight in the fair queue for run slots. Only keys have one; a node limits
   * each of them to its share of the run slots. The anonymous caller of a gateway without keys, its
   * only tenant, has none.
   */
  public static final String OWNER_WEIGHT = "execgate-owner-weight";
  /** On a warm pool take: the id of the execution that asks. */
  public static final String EXECUTION = "execgate-execution";
  /** On an admit dispatched to a cluster worker: the node id of the gateway that dispatched it. */
  public static final String GATEWAY = "execgate-gateway";
  /** On a cluster worker's admission: the seq of its last advert, which does not count the admission yet. */
  public static final String ADVERT_SEQ = "execgate-advert-seq";
  /**
   * On an {@code image.ensure} that waits until the image is usable: a local address the image cache
   * sends the image's {@code ImageInfo} to (one-way) when a pull must run first, so that one ask both
   * waits and learns of the pull.
   */
  public static final String PULLING_NOTICE = "execgate-pulling-notice";
  /** On a warm-pool take: the image id the execution's image cache checked; only a container of that id will do. */
  public static final String IMAGE_ID = "execgate-image-id";

  /**
   * On an admit: the reservation (from {@code SchedulerChannel#reserve}) whose places the execution
   * takes, so that the items of a batch are admitted all or none.
   */
  public static final String RESERVATION = "execgate-reservation";

  private Headers() {
  }
}
