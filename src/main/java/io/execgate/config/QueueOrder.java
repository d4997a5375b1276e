package io.execgate.config;


/**
 * The order in which admitted executions get run slots ({@code executor.queueOrder}).
 */
public enum QueueOrder {

  /** Fair across API keys, by their weights: one key's flood never holds back another's executions. */
  FAIR("fair"),
  /** First come, first served, whoever submitted. */
  FIFO("fifo");

  private final String id;

  QueueOrder(String id) {
    this.id = id;
  }

  /**
   * @return its name in the configuration
   */
  public String id() {
    return id;
  }

  static QueueOrder of(String id, JsonReader r) {
    for (QueueOrder order : values()) {
      if (order.id.equals(id)) {
        return order;
      }
    }
    throw r.fail("queueOrder", r.path("queueOrder") + " must be fair or fifo, got '" + id + "'");
  }
}
