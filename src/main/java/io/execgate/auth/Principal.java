package io.execgate.auth;

import io.execgate.image.ImageGlob;

import java.util.List;

/**
 * Who is calling: an API key's identity and limits, or the anonymous caller of an open gateway.
 *
 * @param id            the key id, or {@code anonymous}
 * @param runtimes      runtimes it may use; empty: all
 * @param images        globs of images it may name ({@link ImageGlob}, against the full name); empty: all
 * @param maxConcurrent its concurrency quota; 0: none
 * @param ratePerMinute its request rate limit; 0: none
 */
public record Principal(String id, List<String> runtimes, List<String> images, int maxConcurrent,
                        int ratePerMinute) {

  public static final Principal ANONYMOUS = new Principal("anonymous", List.of(), List.of(), 0, 0);

  public static Principal of(ApiKey key) {
    return new Principal(key.id(), key.runtimes(), key.images(), key.maxConcurrent(), key.ratePerMinute());
  }

  public boolean mayUseRuntime(String runtime) {
    return runtimes.isEmpty() || runtimes.contains(runtime);
  }

  public boolean mayUseImage(String image) {
    return images.isEmpty() || images.stream().anyMatch(g -> ImageGlob.parse(g).matches(image, null));
  }
}
