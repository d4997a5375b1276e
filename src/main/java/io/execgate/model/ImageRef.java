package io.execgate.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed image reference: {@code [registry/]path[:tag][@digest]}.
 *
 * @param registry the registry host (with port), or {@code null} for the default registry
 * @param path     the repository path, e.g. {@code library/python} or {@code my-executor}
 * @param tag      the tag, or {@code null}
 * @param digest   the digest ({@code sha256:...}), or {@code null}
 */
public record ImageRef(String registry, String path, String tag, String digest) {

  private static final Pattern PATH = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}");
  private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]{1,5})?|\\[[0-9a-fA-F:]+\\](?::[0-9]{1,5})?");

  public ImageRef {
    Objects.requireNonNull(path);
  }

  /**
   * @param reference an image reference as users write it
   * @return the parsed reference
   * @throws IllegalArgumentException when it is not a valid reference
   */
  public static ImageRef parse(String reference) {
    if (reference == null || reference.isEmpty() || reference.length() > 512) {
      throw new IllegalArgumentException("an image reference must have 1 to 512 characters");
    }
    String rest = reference;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("invalid digest in image reference '" + reference + "'");
      }
    }
    String registry = null;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
        registry = first;
        rest = rest.substring(slash + 1);
        if (!REGISTRY.matcher(registry).matches()) {
          throw new IllegalArgumentException("invalid registry in image reference '" + reference + "'");
        }
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("invalid tag in image reference '" + reference + "'");
      }
    }
    if (!PATH.matcher(rest).matches()) {
      throw new IllegalArgumentException("invalid image name '" + reference + "'");
    }
    return new ImageRef(registry, rest, tag, digest);
  }

  /**
   * @return the repository to pull, registry included
   */
  public String repository() {
    return registry == null ? path : registry + "/" + path;
  }

  /**
   * @return this reference with {@code registry} when it names none
   */
  public ImageRef withDefaultRegistry(String defaultRegistry) {
    return registry != null || defaultRegistry == null || defaultRegistry.isBlank()
      ? this : new ImageRef(defaultRegistry, path, tag, digest);
  }

  /**
   * @return the tag to pull: the tag, the digest, or {@code latest}
   */
  public String pullTag() {
    if (digest != null) {
      return digest;
    }
    return tag != null ? tag : "latest";
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(repository());
    if (tag != null) {
      sb.append(':').append(tag);
    }
    if (digest != null) {
      sb.append('@').append(digest);
    }
    return sb.toString();
  }
}
