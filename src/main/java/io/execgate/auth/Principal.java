package io.execgate.auth;

import io.execgate.image.ImagePolicy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Who is calling: an API key's identity and limits, or the anonymous caller of an open gateway.
 *
 * @param id            the key id, or {@code anonymous}
 * @param runtimes      runtimes it may use; empty: all
 * @param images        globs of images it may name; empty: all
 * @param maxConcurrent its concurrency quota; 0: none
 * @param ratePerMinute its request rate limit; 0: none
 * @param maxStreams    its streams open at once on one node; 0: no limit of its own
 * @param weight        its weight in the fair queue for run slots; 0 for the anonymous caller of a
 *                      gateway without keys, its only tenant, whom no share of the slots limits
 */
public record Principal(String id, List<String> runtimes, List<String> images, int maxConcurrent,
                        int ratePerMinute, int maxStreams, int weight) {

  public static final Principal ANONYMOUS = new Principal("anonymous", List.of(), List.of(), 0, 0, 0, 0);

  /**
   * A key's principal with no stream limit of its own and weight 1.
   */
  public Principal(String id, List<String> runtimes, List<String> images, int maxConcurrent, int ratePerMinute) {
    this(id, runtimes, images, maxConcurrent, ratePerMinute, 0, 1);
  }

  /**
   * @param key a key with its defaults applied ({@link ApiKey#withDefaults(KeyDefaults)}); a limit it
   *            still leaves unset counts as none
   */
  public static Principal of(ApiKey key) {
    return new Principal(key.id(), key.runtimes(), key.images(), Math.max(0, key.maxConcurrent()),
      Math.max(0, key.ratePerMinute()), Math.max(0, key.maxStreams()), Math.max(1, key.weight()));
  }

  public boolean mayUseRuntime(String runtime) {
    return runtimes.isEmpty() || runtimes.contains(runtime);
  }

  public boolean mayUseImage(String image) {
    return images.isEmpty() || images.stream().map(ImagePolicy::glob).anyMatch((Pattern p) -> p.matcher(image).matches());
  }
}
