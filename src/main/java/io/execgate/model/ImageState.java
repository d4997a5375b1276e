package io.execgate.model;

/**
 * Where an image stands in the image cache.
 */
public enum ImageState {

  /** Present locally and checked: executions can use it. */
  PRESENT("present"),
  /** Known (a runtime's image, for instance) but not present locally. */
  ABSENT("absent"),
  /** Being pulled, or waiting between two pull attempts. */
  PULLING("pulling"),
  /** Present locally; its sandbox check has not finished yet. */
  CHECKING("checking"),
  /** The last pull failed; the next use pulls again. */
  FAILED("failed"),
  /** Present, but refused by the sandbox check: executions cannot use it. */
  REFUSED("refused");

  private final String id;

  ImageState(String id) {
    this.id = id;
  }

  /**
   * @return the wire name, e.g. {@code pulling}
   */
  public String id() {
    return id;
  }

  /**
   * @param id a wire name
   * @return the state with that name
   * @throws IllegalArgumentException for an unknown name
   */
  public static ImageState of(String id) {
    for (ImageState s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown image state " + id);
  }
}
