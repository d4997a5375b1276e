package io.execgate.docker;

import java.util.List;

/**
 * What the engine says about a local image, as far as the sandbox cares.
 *
 * @param id         the image id ({@code sha256:...})
 * @param sizeBytes  its size
 * @param os         its operating system, e.g. {@code linux}
 * @param workingDir the working directory its config names, or {@code ""}
 * @param volumes    the volumes its config declares
 */
public record ImageDetails(String id, long sizeBytes, String os, String workingDir, List<String> volumes) {

  public ImageDetails {
    volumes = List.copyOf(volumes);
    workingDir = workingDir == null ? "" : workingDir;
  }
}
