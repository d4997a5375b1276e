package io.execgate.request;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.RuntimeSpec;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The configured runtimes, with their images resolved, as requests select them: by name or alias
 * (case-insensitive) and an optional {@link VersionSelector} (an npm semver range). When several
 * runtimes match, the highest version wins, as in Piston; among equal versions, the first configured.
 */
public final class RuntimeCatalog {

  private final List<RuntimeSpec> runtimes;

  public RuntimeCatalog(GatewayOptions options) {
    this.runtimes = options.resolvedRuntimes();
  }

  public List<RuntimeSpec> all() {
    return runtimes;
  }

  /**
   * @param version a selector; {@code null} selects any version
   * @return the newest runtime called {@code language} whose version matches, if any
   */
  public Optional<RuntimeSpec> find(String language, String version) {
    VersionSelector selector = VersionSelector.parse(version);
    RuntimeSpec best = null;
    for (RuntimeSpec spec : runtimes) {
      if (spec.matches(language) && selector.matches(spec.version())
        && (best == null || VersionSelector.newer(spec.version(), best.version()))) {
        best = spec;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * @return the runtime, or fails with {@link ErrorCode#UNSUPPORTED_LANGUAGE} naming the available ones
   */
  public RuntimeSpec select(String language, String version) {
    Optional<RuntimeSpec> found = find(language, version);
    if (found.isPresent()) {
      return found.get();
    }
    boolean known = runtimes.stream().anyMatch(s -> s.matches(language));
    String problem = known
      ? "no version of language '" + language + "' matches '" + version + "'"
      : "unknown language '" + language + "'";
    throw new GatewayException(ErrorCode.UNSUPPORTED_LANGUAGE, problem + "; available: " + describe(),
      known ? "version" : "language");
  }

  /**
   * @return e.g. {@code bash 5.2.15, c 12.2.0, python 3.11.2}
   */
  public String describe() {
    return runtimes.stream().map(s -> s.name() + " " + s.version()).collect(Collectors.joining(", "));
  }
}
