/**
 * Images: {@link io.execgate.image.ImageCacheVerticle} owns which images are present, pulled or
 * failing ({@link io.execgate.image.ImageCache}), checks that an image fits the sandbox
 * ({@link io.execgate.image.SandboxCheck}) and holds the operator's
 * {@link io.execgate.image.ImagePolicy}; it tells the node's executors which images it confirmed a moment
 * ago ({@link io.execgate.image.ConfirmedImages}). May use {@code docker}, {@code bus}, {@code metrics},
 * {@code config}, {@code model}, {@code error}, the API's options.
 */
package io.execgate.image;
