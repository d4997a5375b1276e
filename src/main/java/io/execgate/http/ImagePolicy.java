package io.execgate.http;

import io.execgate.model.RuntimeSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which images a request may name: the runtimes' own images, and anything matching one of the
 * configured globs ({@code *} any characters, {@code ?} one).
 */
final class ImagePolicy {

  private final Set<String> runtimeImages;
  private final List<Pattern> allow = new ArrayList<>();

  ImagePolicy(List<RuntimeSpec> runtimes, List<String> globs) {
    this.runtimeImages = runtimes.stream().map(RuntimeSpec::image).collect(Collectors.toSet());
    for (String glob : globs) {
      allow.add(compile(glob.trim()));
    }
  }

  static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  boolean allows(String image) {
    return runtimeImages.contains(image) || allow.stream().anyMatch(p -> p.matcher(image).matches());
  }
}
