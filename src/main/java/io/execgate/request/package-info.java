/**
 * Request validation and resolution, for every way in (HTTP, the Piston API, the embedding
 * client, a worker's re-check): {@link io.execgate.request.RequestResolver} turns an
 * {@link io.execgate.model.ExecutionRequest} into an {@link io.execgate.model.ExecutionJob} against the
 * runtimes ({@link io.execgate.request.RuntimeCatalog}, {@link io.execgate.request.VersionSelector}),
 * file names, limits and the image policy. May use {@code image}'s policy, {@code config},
 * {@code model}, {@code error} and the API's options.
 */
package io.execgate.request;
