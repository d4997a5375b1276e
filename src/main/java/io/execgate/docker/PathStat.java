package io.execgate.docker;

/**
 * What the engine says about one path of a container's filesystem ({@code X-Docker-Container-Path-Stat}),
 * without starting it.
 *
 * @param name       the path's last component
 * @param size       its size in bytes
 * @param mode       its mode, as Go's {@code os.FileMode} bits (type bits high, permissions low)
 * @param linkTarget for a symbolic link, its target fully resolved inside the container's filesystem; else {@code ""}
 */
public record PathStat(String name, long size, long mode, String linkTarget) {

  private static final long MODE_DIR = 1L << 31;
  private static final long MODE_SYMLINK = 1L << 27;
  /** Device, named pipe, socket, setuid/setgid/sticky aside, char device, irregular: anything that is not a plain file. */
  private static final long MODE_TYPE = MODE_DIR | MODE_SYMLINK | (1L << 26) | (1L << 25) | (1L << 24) | (1L << 21)
    | (1L << 19);

  public PathStat {
    linkTarget = linkTarget == null ? "" : linkTarget;
  }

  public boolean directory() {
    return (mode & MODE_DIR) != 0;
  }

  public boolean symlink() {
    return (mode & MODE_SYMLINK) != 0;
  }

  /**
   * @return whether it is a plain file (not a directory, link, device, pipe or socket)
   */
  public boolean regularFile() {
    return (mode & MODE_TYPE) == 0;
  }
}
