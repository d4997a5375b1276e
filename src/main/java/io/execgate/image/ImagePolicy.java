package io.execgate.image;

import io.execgate.config.ImageCacheOptions;
import io.execgate.config.ImageGlob;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ImageRef;
import io.execgate.model.RuntimeSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which images requests may name, and under which name they are pulled. Pure: answers without
 * talking to the engine, so the HTTP verticle refuses an image before anything is queued.
 * <ul>
 *   <li>A name without tag or digest means {@code :latest}.</li>
 *   <li>The runtimes' own images are always allowed and used as written. When a registry is
 *   configured and such an image is unqualified, the local image of that name is used when present,
 *   the registry's copy otherwise (see {@link #registryFallback(String)}): the default
 *   {@code execgate/busybox:1.35} is built locally and never pushed anywhere.</li>
 *   <li>Any other unqualified name gets the registry prefix ({@code CUSTOM_IMAGE_REGISTRY});
 *   qualified names are left alone.</li>
 *   <li>Such an image must match an allow-list glob ({@link ImageGlob}: registry, path and tag
 *   matched apart, {@code *} never crossing {@code /}, {@code **} doing so). A glob without a
 *   registry part is relative to the configured registry: with the registry {@code reg:5000},
 *   {@code team/*} allows {@code team/tool:1}, which is {@code reg:5000/team/tool:1}.</li>
 *   <li>With {@code requireDigest}, it must also be pinned by digest ({@code name@sha256:...}).</li>
 * </ul>
 */
public final class ImagePolicy {

  private final String registry;
  private final boolean requireDigest;
  private final Set<String> runtimeImages = new HashSet<>();
  private final List<ImageGlob> allow = new ArrayList<>();

  /**
   * @throws IllegalArgumentException for a glob of {@code images.allow} that {@link ImageGlob#parse} refuses
   */
  public ImagePolicy(List<RuntimeSpec> runtimes, ImageCacheOptions options) {
    this.registry = options.getRegistry();
    this.requireDigest = options.isRequireDigest();
    for (RuntimeSpec runtime : runtimes) {
      runtimeImages.add(normalize(ImageRef.parse(runtime.image())).toString());
    }
    for (String glob : options.getAllow()) {
      allow.add(ImageGlob.parse(glob));
    }
  }

  private static ImageRef normalize(ImageRef ref) {
    return ref.tag() == null && ref.digest() == null ? new ImageRef(ref.registry(), ref.path(), "latest", null) : ref;
  }

  /**
   * Checks an image a request names.
   *
   * @param requested the image as the request gives it
   * @return the name to use: {@link #resolve(String)} of it
   * @throws GatewayException {@code invalid_request} for a malformed reference, {@code image_not_allowed}
   *                          for an image the policy refuses; both name the field {@code image}
   */
  public String check(String requested) {
    String image;
    try {
      image = resolve(requested);
    } catch (IllegalArgumentException e) {
      throw GatewayException.invalid("image", e.getMessage());
    }
    if (runtimeImages.contains(image)) {
      return image;
    }
    if (!allows(image)) {
      throw new GatewayException(ErrorCode.IMAGE_NOT_ALLOWED, "image " + image + (image.equals(requested) ? ""
        : " (" + requested + ")") + " is not allowed; ask the operator to add it to images.allow (EXECGATE_IMAGE_ALLOW)",
        "image");
    }
    if (requireDigest && ImageRef.parse(image).digest() == null) {
      throw new GatewayException(ErrorCode.IMAGE_NOT_ALLOWED, "image " + image + " must be pinned by digest "
        + "(name@sha256:...): this gateway runs only images it can identify exactly (images.requireDigest)", "image");
    }
    return image;
  }

  /**
   * @param image an image reference
   * @return the name the image is known by: a runtime's image as written (with {@code :latest} when it
   *   names no tag), any other unqualified name with the registry prefix
   * @throws IllegalArgumentException for a malformed reference
   */
  public String resolve(String image) {
    ImageRef ref = normalize(ImageRef.parse(image));
    String name = ref.toString();
    return runtimeImages.contains(name) ? name : ref.withDefaultRegistry(registry).toString();
  }

  /**
   * @param resolved a name returned by {@link #resolve(String)}
   * @return the registry's copy to use when the local image {@code resolved} is absent, or {@code null}
   *   when {@code resolved} is the only name to try (a qualified name, or no registry configured)
   */
  public String registryFallback(String resolved) {
    ImageRef ref = ImageRef.parse(resolved);
    return ref.registry() == null && registry != null ? ref.withDefaultRegistry(registry).toString() : null;
  }

  /**
   * @param resolved a name returned by {@link #resolve(String)}
   * @return whether the allow-list (or the runtimes) allow it, digest requirement aside
   */
  public boolean allows(String resolved) {
    if (runtimeImages.contains(resolved)) {
      return true;
    }
    ImageRef ref;
    try {
      ref = ImageRef.parse(resolved);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (ImageGlob glob : allow) {
      if (glob.matches(ref, registry)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return the registry an image is pulled from: its own, or Docker Hub's {@code docker.io}
   */
  public static String registryOf(String image) {
    String registry = ImageRef.parse(image).registry();
    return registry == null ? "docker.io" : registry;
  }
}
