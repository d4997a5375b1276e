package io.execgate.config;

import io.execgate.model.ImageRef;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One glob of images, {@code [registry/]path[:tag][@digest]}, matched part by part: the registry,
 * the repository path and the tag are compared apart, so that no wildcard reaches from one part
 * into another ({@code *.corp.example/*} does not admit {@code evil.io/x.corp.example/pwn:1}).
 * <ul>
 *   <li>{@code *} matches any characters but {@code /} (in the registry part, but {@code /} and
 *   {@code :}); {@code **} matches any characters, {@code /} included (path only); {@code ?} one
 *   character but {@code /}.</li>
 *   <li>The first component is the registry part by Docker's own rule: when it contains {@code .} or
 *   {@code :}, is {@code localhost}, or is an IPv6 address in brackets. A registry part whose host is
 *   only wildcards ({@code *}, {@code **}, {@code *:5000}), or a first component of only wildcards
 *   followed by more, would admit every registry: such a glob is refused.</li>
 *   <li>Without a registry part, the glob matches images that name no registry and, relative to the
 *   configured registry ({@code CUSTOM_IMAGE_REGISTRY}), that registry's images.</li>
 *   <li>Without tag and digest it matches any tag or digest; with a tag glob, the image's tag must
 *   match it (an image named by digest alone has no tag and does not); with a digest, exactly that
 *   digest.</li>
 * </ul>
 */
public final class ImageGlob {

  private static final Pattern REGISTRY_CHARS = Pattern.compile("[A-Za-z0-9.:\\[\\]*?-]+");
  private static final Pattern PATH_CHARS = Pattern.compile("[a-z0-9._*?-]+(/[a-z0-9._*?-]+)*");
  private static final Pattern TAG_CHARS = Pattern.compile("[A-Za-z0-9_.*?-]+");
  private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}");
  private static final Pattern WILDCARDS = Pattern.compile("[*?]+");

  private final String text;
  private final Pattern registry;
  private final Pattern path;
  private final Pattern tag;
  private final String digest;

  private ImageGlob(String text, Pattern registry, Pattern path, Pattern tag, String digest) {
    this.text = text;
    this.registry = registry;
    this.path = path;
    this.tag = tag;
    this.digest = digest;
  }

  /**
   * @param glob a glob as the configuration writes it
   * @return the parsed glob
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static ImageGlob parse(String glob) {
    String text = glob == null ? "" : glob.trim();
    if (text.isEmpty() || text.length() > 512) {
      throw new IllegalArgumentException("an image glob must have 1 to 512 characters");
    }
    String rest = text;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("'" + text + "': a digest must be written out in full (sha256:<hex>), "
          + "without wildcards");
      }
    }
    Pattern registry = null;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      boolean qualified = first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[");
      String host = first.startsWith("[") ? first : first.replaceFirst(":[^:]*$", "");
      if (WILDCARDS.matcher(host).matches()) {
        throw new IllegalArgumentException("'" + text + "': a registry part of only wildcards ('" + first + "') would "
          + "admit images of every registry; name the registry (docker.io/..., registry.example:5000/...), or leave it "
          + "out to mean the configured one (images.registry)");
      }
      if (qualified) {
        if (!REGISTRY_CHARS.matcher(first).matches()) {
          throw new IllegalArgumentException("'" + text + "': invalid registry part '" + first + "'");
        }
        registry = Glob.compile(first.toLowerCase(Locale.ROOT), "[^/:]*", "[^/:]*", "[^/:]");
        rest = rest.substring(slash + 1);
      }
    }
    Pattern tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      String tagGlob = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG_CHARS.matcher(tagGlob).matches()) {
        throw new IllegalArgumentException("'" + text + "': invalid tag part '" + tagGlob + "'");
      }
      tag = Glob.compile(tagGlob, ".*", ".*", ".");
    }
    if (!PATH_CHARS.matcher(rest).matches()) {
      throw new IllegalArgumentException("'" + text + "': invalid repository path '" + rest + "' (lower-case "
        + "components separated by /, with *, ** and ?)");
    }
    return new ImageGlob(text, registry, Glob.compile(rest, "[^/]*", ".*", "[^/]"), tag, digest);
  }

  /**
   * @param image           the image, as resolved (registry prefix applied)
   * @param defaultRegistry the configured registry, against which globs without a registry part also
   *                        match, or {@code null}
   * @return whether this glob admits {@code image}
   */
  public boolean matches(ImageRef image, String defaultRegistry) {
    if (registry == null) {
      if (image.registry() != null && !image.registry().equalsIgnoreCase(defaultRegistry == null ? "" : defaultRegistry)) {
        return false;
      }
    } else if (image.registry() == null || !registry.matcher(image.registry().toLowerCase(Locale.ROOT)).matches()) {
      return false;
    }
    if (!path.matcher(image.path()).matches()) {
      return false;
    }
    if (digest != null) {
      return digest.equals(image.digest());
    }
    return tag == null || image.tag() != null && tag.matcher(image.tag()).matches();
  }

  /**
   * @return whether this glob admits {@code image}, an image reference as text; a malformed one is never admitted
   */
  public boolean matches(String image, String defaultRegistry) {
    try {
      return matches(ImageRef.parse(image), defaultRegistry);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
