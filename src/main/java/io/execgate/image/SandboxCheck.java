package io.execgate.image;

import io.execgate.GatewayOptions;
import io.execgate.docker.AttachedOutput;
import io.execgate.docker.ContainerLabels;
import io.execgate.docker.SandboxRuntime;
import io.execgate.docker.ContainerSpec;
import io.execgate.docker.ImageDetails;
import io.execgate.docker.SandboxProfile;
import io.execgate.docker.PathStat;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * Then, without starting anything of the image, its filesystem: a container is created from the
 * image id and never started, the paths the sandbox relies on are looked up through the engine's
 * archive API (a {@code HEAD}: the stat alone, resolved inside the image's own filesystem, with a
 * link's target), and the container is removed. {@code /tmp} (the tmpfs, the working directory's parent),
 * {@code /run} (where the launcher mounts its own tmpfs), {@code /proc}, {@code /sys} and {@code /dev}
 * must be directories or absent, never links: a {@code /tmp} that leads into {@code /proc/self/fd}
 * is the shape of runc's CVE-2024-21626, and a mount or working directory there would not be what
 * the sandbox thinks it is. {@code /bin/sh} must be a plain file, or a link to one outside the kernel's
 * interfaces. The archive API was chosen over reading the image's layers ({@code docker save}): it
 * costs one create, a few small requests and one remove, once per image id, and the engine resolves
 * links exactly as it will when it creates the sandboxes.
 * <p>
 * Last, a probe: a container with the full sandbox profile runs a few lines of {@code /bin/sh}
 * checking what the launcher needs ({@code dd} with {@code iflag=fullblock}, {@code mkdir}, a
 * writable {@code /tmp}, and {@code chmod} with a {@code /bin/sh} small enough to be copied to an
 * execute-only file). An image without {@code /bin/sh}, or whose shell uid 1000 cannot run, fails
 * to start, and is refused with the engine's words.
 * <p>
 * Every container here is created from the image id, never its tag, so that what is checked is what
 * the verdict is remembered for.
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
  /** Directories the sandbox mounts on or works in: each must be a directory or absent, never a link. */
  static final List<String> DIRECTORIES = List.of("/tmp", "/run", "/proc", "/sys", "/dev");
  static final String SHELL = "/bin/sh";

  private final Vertx vertx;
  private final SandboxRuntime runtime;
  private final GatewayOptions options;

  SandboxCheck(Vertx vertx, SandboxRuntime runtime, GatewayOptions options) {
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
   * @param stats the stat of each of {@link #DIRECTORIES} and {@link #SHELL} ({@code null}: absent), and of
   *              the shell's link target when it is a link
   * @return why the image's filesystem makes it unfit for sandboxes, or {@code null} when it is fine
   */
  static String filesystemProblem(String image, Map<String, PathStat> stats) {
    for (String dir : DIRECTORIES) {
      PathStat s = stats.get(dir);
      if (s != null && s.symlink()) {
        return "image " + image + " makes " + dir + " a symbolic link to " + s.linkTarget() + ": " + dir + " must be a "
          + "directory of its own, since the sandbox mounts on it or works in it, and a link there (into /proc/self/fd "
          + "above all, the shape of runc's CVE-2024-21626) would put the program somewhere else; the image is refused";
      }
      if (s != null && !s.directory()) {
        return "image " + image + " has a " + dir + " that is not a directory; the image is refused";
      }
    }
    PathStat sh = stats.get(SHELL);
    if (sh == null) {
      return "image " + image + " cannot host the sandbox launcher: /bin/sh is missing";
    }
    String target = SHELL;
    if (sh.symlink()) {
      target = sh.linkTarget();
      for (String dir : KERNEL_DIRS) {
        if (target.equals(dir) || target.startsWith(dir + "/")) {
          return "image " + image + " makes /bin/sh a link to " + target + ", inside " + dir + "; the image is refused";
        }
      }
      sh = stats.get(target);
      if (sh == null) {
        return "image " + image + " cannot host the sandbox launcher: /bin/sh is missing (a link to " + target
          + ", which does not exist)";
      }
    }
    if (!sh.regularFile()) {
      return "image " + image + " cannot host the sandbox launcher: /bin/sh" + (target.equals(SHELL) ? "" : " (" + target
        + ")") + " is not a plain file";
    }
    return null;
  }

  /**
   * Checks an image's filesystem, then runs the probe; every container from the image id.
   *
   * @param image the image's name, for messages
   * @param id    the image id that is checked
   * @return {@code null} when the image can host sandboxes, else why not; fails when the engine could
   *   not tell (the verdict is then not definitive)
   */
  Future<String> check(String image, String id) {
    return filesystem(image, id).compose(problem -> problem != null ? Future.succeededFuture(problem) : probe(image, id));
  }

  /**
   * Looks at the image's filesystem through a container created from it and never started.
   */
  Future<String> filesystem(String image, String id) {
    String name = "image-stat-" + UUID.randomUUID().toString().substring(0, 8);
    ContainerSpec spec = new ContainerSpec("execgate-" + name, id, "exit 0", ContainerLabels.of(options.getInstanceId(),
      name), options.getExecutor().getUid(), 32L << 20, 500_000_000L, 16, 1L << 20, false,
      options.getExecutor().getNofile(), options.getDocker().getOciRuntime(), List.of());
    return runtime.create(spec).compose(container -> stats(container)
      .map(stats -> filesystemProblem(image, stats))
      .eventually(() -> runtime.remove(container)));
  }

  private Future<Map<String, PathStat>> stats(String container) {
    Map<String, PathStat> stats = new HashMap<>();
    List<String> paths = new ArrayList<>(DIRECTORIES);
    paths.add(SHELL);
    Future<Void> all = Future.succeededFuture();
    for (String path : paths) {
      all = all.compose(v -> runtime.statPath(container, path).map(s -> {
        stats.put(path, s);
        return null;
      }));
    }
    return all.compose(v -> {
      PathStat sh = stats.get(SHELL);
      if (sh == null || !sh.symlink() || sh.linkTarget().isEmpty() || stats.containsKey(sh.linkTarget())) {
        return Future.succeededFuture(stats);
      }
      return runtime.statPath(container, sh.linkTarget()).map(s -> {
        stats.put(sh.linkTarget(), s);
        return stats;
      });
    });
  }

  /**
   * Runs the probe container.
   *
   * @return {@code null} when the image can host the launcher, else why not; fails when the engine
   *   could not tell (the verdict is then not definitive)
   */
  Future<String> probe(String image, String id) {
    var executor = options.getExecutor();
    String name = "image-check-" + UUID.randomUUID().toString().substring(0, 8);
    ContainerSpec spec = new ContainerSpec("execgate-" + name, id, PROBE, ContainerLabels.of(options.getInstanceId(), name),
      executor.getUid(), 32L << 20, 500_000_000L, 16, 1L << 20, false, executor.getNofile(),
      options.getDocker().getOciRuntime(), List.of("HOME=/tmp"));
    Probe probe = new Probe(image);
    return runtime.create(spec)
      .compose(container -> probe.run(container).eventually(() -> runtime.remove(container)));
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
