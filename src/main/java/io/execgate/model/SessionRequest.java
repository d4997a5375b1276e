package io.execgate.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an embedding client asks of a new session: the typed form of the body of
 * {@code POST /v1/sessions}, validated by the same rules when it is created. Immutable; build one
 * fluently:
 * <pre>{@code
 * SessionRequest request = SessionRequest.language("python").withIdleTimeoutSeconds(120);
 * }</pre>
 *
 * @param language           a runtime's name or alias; {@code null} for the gateway's default runtime
 * @param version            a version selector; {@code null} for the newest
 * @param image              an image instead of the runtime's, subject to the image policy; {@code null} for the runtime's
 * @param env                environment variables of every execution in the session
 * @param limits             the sandbox's memory, CPU and pids limits, the executions' default deadline and output cap
 * @param idleTimeoutSeconds how long it lives without a call; {@code null} for {@code sessions.idleTimeoutSeconds}
 * @param lifetimeSeconds    how long it lives at most; {@code null} for {@code sessions.lifetimeSeconds}
 * @param stateful           whether it keeps one Python interpreter across its executions (python only)
 */
public record SessionRequest(String language, String version, String image, Map<String, String> env,
                             RequestLimits limits, Long idleTimeoutSeconds, Long lifetimeSeconds, boolean stateful) {

  public SessionRequest {
    env = env == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(env));
    limits = limits == null ? RequestLimits.defaults() : limits;
  }

  /**
   * @param language a runtime's name or alias
   * @return a request for a session of that runtime, with the gateway's defaults
   */
  public static SessionRequest language(String language) {
    return new SessionRequest(language, null, null, null, null, null, null, false);
  }

  /**
   * @return a copy that selects the runtime's version with {@code version}
   */
  public SessionRequest withVersion(String version) {
    return new SessionRequest(language, version, image, env, limits, idleTimeoutSeconds, lifetimeSeconds, stateful);
  }

  /**
   * @return a copy whose sandbox runs {@code image}
   */
  public SessionRequest withImage(String image) {
    return new SessionRequest(language, version, image, env, limits, idleTimeoutSeconds, lifetimeSeconds, stateful);
  }

  /**
   * @return a copy whose executions see {@code env}
   */
  public SessionRequest withEnv(Map<String, String> env) {
    return new SessionRequest(language, version, image, env, limits, idleTimeoutSeconds, lifetimeSeconds, stateful);
  }

  /**
   * @return a copy with {@code limits}
   */
  public SessionRequest withLimits(RequestLimits limits) {
    return new SessionRequest(language, version, image, env, limits, idleTimeoutSeconds, lifetimeSeconds, stateful);
  }

  /**
   * @return a copy that ends after {@code seconds} without a call
   */
  public SessionRequest withIdleTimeoutSeconds(long seconds) {
    return new SessionRequest(language, version, image, env, limits, seconds, lifetimeSeconds, stateful);
  }

  /**
   * @return a copy that ends {@code seconds} after its creation at the latest
   */
  public SessionRequest withLifetimeSeconds(long seconds) {
    return new SessionRequest(language, version, image, env, limits, idleTimeoutSeconds, seconds, stateful);
  }

  /**
   * @return a copy that keeps one Python interpreter across its executions, variables and imports
   *   included (each execution's script runs as a cell); only a python session may be stateful
   */
  public SessionRequest withStateful(boolean stateful) {
    return new SessionRequest(language, version, image, env, limits, idleTimeoutSeconds, lifetimeSeconds, stateful);
  }
}
