package io.execgate.auth;

import io.execgate.config.ImageGlob;

import java.util.List;

/**
 * Who is calling: an API key's identity, limits and scope, or the anonymous caller of an open gateway.
 *
 * @param id            the key id, or {@code anonymous}
 * @param runtimes      runtimes it may use; empty: all
 * @param images        globs of images it may name ({@link ImageGlob}, against the full name); empty: all
 * @param maxConcurrent its concurrency quota; 0: none
 * @param ratePerMinute its request rate limit; 0: none
 * @param maxStreams    its streams open at once on one node; 0: no limit of its own
 * @param weight        its weight in the fair queue for run slots; 0 for the anonymous caller of a
 *                      gateway without keys, its only tenant, whom no share of the slots limits
 * @param admin         whether it may use the operational routes and touch every key's executions
 * @param token         whether it authenticated with a browser token (streaming routes only), not the key
 * @param execution     the one execution a token is scoped to, or {@code null}
 */
public record Principal(String id, List<String> runtimes, List<String> images, int maxConcurrent,
                        int ratePerMinute, int maxStreams, int weight, boolean admin, boolean token,
                        String execution) {

  /**
   * The caller of a gateway without keys, and the in-process client: trusted like the application,
   * so it may do everything (on an open gateway every caller is this one principal).
   */
  public static final Principal ANONYMOUS = new Principal("anonymous", List.of(), List.of(), 0, 0, 0, 0, true, false,
    null);
  /**
   * The caller of an open route (liveness, the page's files) on a gateway with keys: it owns nothing
   * and may do nothing.
   */
  public static final Principal NOBODY = new Principal("", List.of(), List.of(), 0, 0, 0, 0, false, false, null);

  /**
   * A principal with the full scope of a key that is not an admin, no stream limit of its own and weight 1.
   */
  public Principal(String id, List<String> runtimes, List<String> images, int maxConcurrent, int ratePerMinute) {
    this(id, runtimes, images, maxConcurrent, ratePerMinute, 0, 1, false, false, null);
  }

  /**
   * @param key a key with its defaults applied ({@link ApiKey#withDefaults(KeyDefaults)}); a limit it
   *            still leaves unset counts as none
   */
  public static Principal of(ApiKey key) {
    return new Principal(key.id(), key.runtimes(), key.images(), Math.max(0, key.maxConcurrent()),
      Math.max(0, key.ratePerMinute()), Math.max(0, key.maxStreams()), Math.max(1, key.weight()), key.admin(),
      false, null);
  }

  /**
   * @param execution the execution the token is scoped to, or {@code null} for any the key may stream
   * @return this key's principal as a token carries it: streaming only, possibly one execution only
   */
  public Principal viaToken(String execution) {
    return new Principal(id, runtimes, images, maxConcurrent, ratePerMinute, maxStreams, weight, admin, true, execution);
  }

  public boolean mayUseRuntime(String runtime) {
    return runtimes.isEmpty() || runtimes.contains(runtime);
  }

  public boolean mayUseImage(String image) {
    return images.isEmpty() || images.stream().anyMatch(g -> ImageGlob.parse(g).matches(image, null));
  }

  /**
   * The one ownership rule of the API: every route that names an execution (and any resource with
   * an owner) asks it, and answers as if the resource did not exist when it says no.
   *
   * @param owner      the key id that owns the resource, or {@code null} (then only an admin may)
   * @param resourceId the resource's id, compared with a token's scope
   * @return whether this caller may read, stream or cancel it
   */
  public boolean mayAccess(String owner, String resourceId) {
    if (execution != null && !execution.equals(resourceId)) {
      return false;
    }
    return admin || (!id.isEmpty() && id.equals(owner));
  }
}
