package io.execgate.docker;

/**
 * The runc the engine reports ({@code docker version}'s runc component).
 *
 * @param version its version, e.g. {@code 1.1.5+ds1}, or {@code null}
 * @param commit  its commit as the engine reports it, e.g. {@code 1.1.5+ds1-1+deb12u1} (Debian's package version)
 *                or {@code v1.1.12-0-g51d5e94}, or {@code null}
 */
public record RuncVersion(String version, String commit) {

  /**
   * @return the verdict of {@link RuncAdvisories} on it
   */
  public RuncAdvisories.Verdict assess() {
    return RuncAdvisories.assess(version, commit);
  }
}
