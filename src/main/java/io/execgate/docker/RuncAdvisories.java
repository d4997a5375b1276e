package io.execgate.docker;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which runc versions have known container breakouts that a sandbox's image or program can use, as
 * the engine reports runc ({@code docker version}: the runc component's version and commit, which
 * {@code docker info} shows as {@code RuncCommit}).
 * <p>
 * A version is judged by its upstream number first. Inside an advisory's affected range, a version
 * that a distribution patched counts as fixed: the table knows such versions (a Debian package
 * version, compared with Debian's own ordering, so that a later revision of the same package is
 * fixed too). A version the table cannot read (a bare commit hash) is reported as unknown, never
 * refused.
 * <p>
 * The table is small on purpose, and says where each line comes from:
 * <ul>
 *   <li>CVE-2024-21626 ("Leaky Vessels"): a leaked host file descriptor reachable as
 *   {@code /proc/self/fd/N} from the container's working directory or an exec; an image or a
 *   program can escape. runc 1.0.0-rc93 to 1.1.11; fixed upstream in 1.1.12. Debian bookworm
 *   fixed it in {@code 1.1.5+ds1-1+deb12u1} (DSA-5615-1; the package's changelog names the CVE).</li>
 *   <li>CVE-2019-5736: a container process overwrites the host's runc binary through
 *   {@code /proc/self/exe}. runc up to 1.0.0-rc6; fixed upstream in 1.0.0-rc7.</li>
 * </ul>
 */
public final class RuncAdvisories {

  /**
   * One advisory.
   *
   * @param cve            its CVE id
   * @param summary        what it allows, in a few words
   * @param introducedIn   the first affected upstream version
   * @param fixedIn        the first fixed upstream version
   * @param distroFixed    distribution package versions that carry the fix inside the affected range
   */
  record Advisory(String cve, String summary, String introducedIn, String fixedIn, List<String> distroFixed) {
  }

  static final List<Advisory> ADVISORIES = List.of(
    new Advisory("CVE-2024-21626", "a leaked host file descriptor lets an image or a program escape the container",
      "1.0.0-rc93", "1.1.12", List.of("1.1.5+ds1-1+deb12u1")),
    new Advisory("CVE-2019-5736", "a container process can overwrite the host's runc binary",
      "0.0.0", "1.0.0-rc7", List.of()));

  /**
   * The verdict on one runc.
   *
   * @param version    the version judged
   * @param known      whether the version could be read at all
   * @param vulnerable whether an advisory applies
   * @param advisory   the advisory that applies, or {@code null}
   * @param patchedBy  the distribution version whose fix makes it safe despite its upstream number, or {@code null}
   */
  public record Verdict(String version, boolean known, boolean vulnerable, Advisory advisory, String patchedBy) {

    /**
     * @return one line for the log, naming the version and the CVE
     */
    public String describe() {
      if (!known) {
        return "runc " + version + ": cannot tell its upstream version, so it is not checked against known breakouts "
          + "(" + ADVISORIES.stream().map(Advisory::cve).toList() + ")";
      }
      if (vulnerable) {
        return "runc " + version + " is vulnerable to " + advisory.cve() + " (" + advisory.summary() + "; fixed in "
          + advisory.fixedIn() + ")";
      }
      return "runc " + version + " has no known container breakout of " + ADVISORIES.stream().map(Advisory::cve).toList()
        + (patchedBy != null ? " (distribution fix " + patchedBy + ")" : "");
    }
  }

  private static final Pattern UPSTREAM = Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)(?:[-~.]?rc\\.?(\\d+))?");

  private RuncAdvisories() {
  }

  /**
   * @param version the runc component's version ({@code 1.1.5+ds1}), or {@code null}
   * @param commit  its commit as the engine reports it ({@code 1.1.5+ds1-1+deb12u1}, {@code v1.1.12-0-g51d5e94},
   *                a hash), or {@code null}
   * @return the verdict on the most precise of the two
   */
  public static Verdict assess(String version, String commit) {
    String full = commit != null && UPSTREAM.matcher(commit).find() ? commit : version;
    if (full == null || full.isBlank()) {
      return new Verdict(commit != null && !commit.isBlank() ? commit : "(unknown)", false, false, null, null);
    }
    int[] upstream = upstream(full);
    if (upstream == null) {
      return new Verdict(full, false, false, null, null);
    }
    for (Advisory a : ADVISORIES) {
      if (compare(upstream, upstream(a.introducedIn())) < 0 || compare(upstream, upstream(a.fixedIn())) >= 0) {
        continue;
      }
      String patch = a.distroFixed().stream().filter(d -> sameDebianUpstream(full, d) && DebianVersion.compare(full, d) >= 0)
        .findFirst().orElse(null);
      if (patch == null) {
        return new Verdict(full, true, true, a, null);
      }
      return new Verdict(full, true, false, null, patch);
    }
    return new Verdict(full, true, false, null, null);
  }

  /**
   * @return major, minor, patch and release candidate ({@link Integer#MAX_VALUE} for a release), or {@code null}
   */
  static int[] upstream(String version) {
    Matcher m = UPSTREAM.matcher(version);
    if (!m.find()) {
      return null;
    }
    return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
      m.group(4) == null ? Integer.MAX_VALUE : Integer.parseInt(m.group(4))};
  }

  private static int compare(int[] a, int[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return 0;
  }

  /**
   * @return whether two Debian versions are of the same upstream version (what precedes the revision)
   */
  private static boolean sameDebianUpstream(String a, String b) {
    int da = a.lastIndexOf('-');
    int db = b.lastIndexOf('-');
    return da > 0 && db > 0 && a.substring(0, da).equals(b.substring(0, db));
  }
}
