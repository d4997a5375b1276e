package io.execgate.image;

import io.execgate.GatewayOptions;
import io.execgate.docker.AttachedOutput;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.ContainerRuntime;
import io.execgate.docker.ContainerSpec;
import io.execgate.docker.ImageDetails;
import io.execgate.docker.SandboxProfile;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Decides, once per image id, whether an image may host sandboxes.
 * <p>
 * First its config: an image whose working directory lies in {@code /proc}, {@code /sys} or
 * {@code /dev}, that declares a {@code VOLUME}, or that is not a Linux image is refused. Docker
 * mounts a writable anonymous volume, on the host's disk and without a size cap, at every declared
 * volume, read-only root filesystem or not: that would undo the sandbox's only-/tmp-is-writable rule.
 * The executor sets the working directory and the entrypoint itself, so a working directory in
 * {@code /proc} does not reach our sandboxes today; it is still refused, because an image built to
 * start inside kernel interfaces is no image to vouch for, and whatever runs it with its own config
 * later (a warm pool, an exec, an operator's {@code docker run}) would start there.
 * <p>
 * Then a probe: a container with the full sandbox profile runs a few lines of {@code /bin/sh}
 * checking what the launcher needs ({@code dd} with {@code iflag=fullblock}, {@code mkdir}, a
 * writable {@code /tmp}, and {@code chmod} with a {@code /bin/sh} small enough to be copied to an
 * execute-only file). An image without {@code /bin/sh}, or whose shell uid 1000 cannot run, fails
 * to start, and is refused with the engine's words.
 */
final class SandboxCheck {

  static final String PROBE = "for c in dd mkdir chmod; do command -v \"$c\" >/dev/null 2>&1 || { echo \"$c is missing\"; "
    + "exit 3; }; done; { dd if=/bin/sh of=" + SandboxProfile.SEAL_DIR + "/sh bs=65536 && chmod 111 " + SandboxProfile.SEAL_DIR
    + "/sh; } >/dev/null 2>&1 || { echo 'cannot copy /bin/sh (at most " + (SandboxProfile.SEAL_DIR_BYTES >> 20)
    + " MiB) to an execute-only file in " + SandboxProfile.SEAL_DIR + "'; exit 3; }; "
    + "[ \"$(printf x | dd bs=1 count=1 iflag=fullblock 2>/dev/null)\" = x ] || "
    + "{ echo 'dd does not support iflag=fullblock'; exit 3; }; mkdir -p /tmp/work || "
    + "{ echo 'cannot create /tmp/work'; exit 3; }; echo execgate-check-ok";
  private static final String OK = "execgate-check-ok";
  private static final long PROBE_DEADLINE_MS = 20_000;
  private static final int MAX_OUTPUT = 4096;
  private static final List<String> KERNEL_DIRS = List.of("/proc", "/sys", "/dev");

  private final Vertx vertx;
  private final ContainerRuntime runtime;
  private final GatewayOptions options;

  SandboxCheck(Vertx vertx, ContainerRuntime runtime, GatewayOptions options) {
    this.vertx = vertx;
    this.runtime = runtime;
    this.options = options;
  }

  /**
   * @return why the image's config makes it unfit for sandboxes, or {@code null} when it is fine
   */
  static String configProblem(String image, ImageDetails details) {
    if (details.os() != null && !details.os().isEmpty() && !details.os().equals("linux")) {
      return "image " + image + " is a " + details.os() + " image; sandboxes run Linux images only";
    }
    String wd = details.workingDir().isEmpty() ? "/" : Path.of(details.workingDir()).normalize().toString();
    for (String dir : KERNEL_DIRS) {
      if (wd.equals(dir) || wd.startsWith(dir + "/")) {
        return "image " + image + " sets its working directory to " + details.workingDir() + ", inside " + dir
          + ": kernel interfaces are no place to start untrusted code, so the image is refused";
      }
    }
    for (String volume : details.volumes()) {
      if (!Path.of(volume).normalize().toString().equals("/tmp")) {
        return "image " + image + " declares VOLUME " + volume + ": Docker would mount a writable volume there, on "
          + "the host's disk, without a size cap and outside the read-only root filesystem, so the image is refused";
      }
    }
    return null;
  }

  /**
   * Runs the probe container.
   *
   * @return {@code null} when the image can host the launcher, else why not; fails when the engine
   *   could not tell (the verdict is then not definitive)
   */
  Future<String> probe(String image) {
    var executor = options.getExecutor();
    String name = "image-check-" + UUID.randomUUID().toString().substring(0, 8);
    ContainerSpec spec = new ContainerSpec("execgate-" + name, image, PROBE, ContainerLabels.of(options.getInstanceId(), name),
      executor.getUid(), 32L << 20, 500_000_000L, 16, 1L << 20, false, executor.getNofile(),
      options.getDocker().getOciRuntime(), List.of("HOME=/tmp"));
    Probe probe = new Probe(image);
    return runtime.create(spec)
      .compose(id -> probe.run(id).eventually(() -> runtime.remove(id)));
  }

  private final class Probe {

    private final String image;
    private final Buffer output = Buffer.buffer();
    private final Promise<Void> ended = Promise.promise();

    Probe(String image) {
      this.image = image;
    }

    Future<String> run(String containerId) {
      return runtime.attachOutput(containerId)
        .compose(out -> {
          collect(out);
          return runtime.start(containerId)
            .transform(ar -> ar.succeeded() ? awaitEnd(containerId, out) : Future.succeededFuture(cannotStart(ar.cause())));
        });
    }

    private void collect(AttachedOutput out) {
      out.handler(chunk -> {
        int room = MAX_OUTPUT - output.length();
        if (room > 0) {
          output.appendBytes(chunk.bytes(), 0, Math.min(room, chunk.bytes().length));
        }
      });
      out.exceptionHandler(err -> ended.tryComplete());
      out.endHandler(v -> ended.tryComplete());
    }

    private Future<String> awaitEnd(String containerId, AttachedOutput out) {
      return ended.future()
        .timeout(PROBE_DEADLINE_MS, TimeUnit.MILLISECONDS)
        .recover(err -> {
          out.close();
          return Future.failedFuture(new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "checking image " + image
            + " took more than " + PROBE_DEADLINE_MS + " ms; the engine seems overloaded"));
        })
        .compose(v -> runtime.inspect(containerId))
        .map(state -> {
          String text = output.toString(StandardCharsets.UTF_8).trim();
          if (state.exitCode() != null && state.exitCode() == 0 && text.endsWith(OK)) {
            return null;
          }
          if (text.contains("exec /bin/sh failed")) {
            // the init process (tini) could not start the shell
            return noShell(text);
          }
          return "image " + image + " cannot host the sandbox launcher, which needs /bin/sh, dd (with "
            + "iflag=fullblock), chmod and mkdir: " + (text.isEmpty() ? "the check exited with " + state.exitCode() : text);
        });
    }

    private String cannotStart(Throwable err) {
      GatewayException ge = Replies.toGatewayException(err);
      String m = ge.getMessage().toLowerCase(Locale.ROOT);
      if (ge.code() == ErrorCode.DOCKER_UNAVAILABLE || !(m.contains("no such file") || m.contains("/bin/sh")
        || m.contains("permission denied") || m.contains("exec format error"))) {
        throw ge;
      }
      return noShell(ge.getMessage());
    }

    private String noShell(String detail) {
      return "image " + image + " cannot host the sandbox launcher: /bin/sh is missing or uid "
        + options.getExecutor().getUid() + " cannot run it (" + detail + ")";
    }
  }
}
