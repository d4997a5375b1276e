package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import io.execgate.model.ImageRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Builds, pushes and removes the tests' images through the real engine.
 */
final class TestImages {

  private TestImages() {
  }

  /**
   * Builds an image from a Dockerfile's text.
   *
   * @return the image id
   */
  static String build(DockerClient docker, String tag, String dockerfile) throws IOException {
    Path dir = Files.createTempDirectory("execgate-image");
    try {
      Files.writeString(dir.resolve("Dockerfile"), dockerfile);
      return docker.buildImageCmd(dir.toFile())
        .withTags(Set.of(tag))
        .withPull(false)
        .withRemove(true)
        .withForcerm(true)
        .exec(new BuildImageResultCallback())
        .awaitImageId(120, TimeUnit.SECONDS);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  static void tag(DockerClient docker, String imageId, String reference) {
    ImageRef ref = ImageRef.parse(reference);
    docker.tagImageCmd(imageId, ref.repository(), ref.tag()).exec();
  }

  /**
   * Pushes a local image to its registry and fails on any error the push reports.
   */
  static void push(DockerClient docker, String reference, AuthConfig auth) throws InterruptedException {
    ImageRef ref = ImageRef.parse(reference);
    AtomicReference<String> error = new AtomicReference<>();
    var cmd = docker.pushImageCmd(ref.repository()).withTag(ref.tag());
    if (auth != null) {
      cmd.withAuthConfig(auth);
    }
    cmd.exec(new ResultCallback.Adapter<PushResponseItem>() {
      @Override
      public void onNext(PushResponseItem item) {
        if (item.getErrorDetail() != null) {
          error.set(item.getErrorDetail().getMessage());
        }
      }
    }).awaitCompletion(120, TimeUnit.SECONDS);
    if (error.get() != null) {
      throw new IllegalStateException("pushing " + reference + " failed: " + error.get());
    }
  }

  /**
   * @return the digest ({@code sha256:...}) the registry of {@code reference} knows the pushed image by
   */
  static String repoDigest(DockerClient docker, String reference) {
    String repository = ImageRef.parse(reference).repository();
    List<String> digests = docker.inspectImageCmd(reference).exec().getRepoDigests();
    return digests.stream().filter(d -> d.startsWith(repository + "@")).map(d -> d.substring(d.indexOf('@') + 1))
      .findFirst().orElseThrow(() -> new IllegalStateException("no digest of " + repository + " in " + digests));
  }

  static boolean present(DockerClient docker, String reference) {
    try {
      docker.inspectImageCmd(reference).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /**
   * Removes a tag (and the image when it was its last tag); a missing one is fine.
   */
  static void remove(DockerClient docker, String reference) {
    try {
      docker.removeImageCmd(reference).withForce(true).exec();
    } catch (NotFoundException gone) {
      // already gone
    }
  }

  /**
   * Removes every local tag of the given repositories' prefix, e.g. everything pulled from one registry.
   */
  static void removeAllStartingWith(DockerClient docker, String prefix) {
    docker.listImagesCmd().exec().stream()
      .flatMap(i -> i.getRepoTags() == null ? Stream.empty() : Stream.of(i.getRepoTags()))
      .filter(t -> t.startsWith(prefix))
      .forEach(t -> remove(docker, t));
    docker.listImagesCmd().exec().stream()
      .flatMap(i -> i.getRepoDigests() == null ? Stream.empty() : Stream.of(i.getRepoDigests()))
      .filter(d -> d.startsWith(prefix))
      .forEach(d -> remove(docker, d));
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
