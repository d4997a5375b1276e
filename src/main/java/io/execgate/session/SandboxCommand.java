package io.execgate.session;

import io.execgate.docker.SandboxRuntime;
import io.execgate.docker.ExecStreams;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A short shell command run inside a session's sandbox as the sandbox user, through the engine's
 * exec: the file calls go through the sandbox, never through the host's filesystem or the archive
 * API (which does not see a tmpfs). Its stdin gets exactly the given bytes (the engine never passes
 * EOF: the script reads by length); its stdout is kept up to a cap, its stderr up to a few KiB.
 */
public final class SandboxCommand {

  /** Stderr kept: the scripts write one short error word there. */
  private static final int MAX_STDERR = 4096;

  private SandboxCommand() {
  }

  /**
   * What a command wrote.
   *
   * @param stdout what it wrote on stdout, up to the cap
   * @param stderr what it wrote on stderr, up to {@value #MAX_STDERR} bytes
   * @param overflow whether stdout passed the cap (the command was abandoned)
   */
  public record Output(Buffer stdout, String stderr, boolean overflow) {
  }

  /**
   * @param script    the shell script, run by {@code /bin/sh -c}
   * @param args      its positional parameters ({@code $1}...), passed as arguments, never as code
   * @param stdin     bytes for its stdin, or {@code null}
   * @param maxStdout the most stdout kept
   * @param timeoutMs how long it may take
   */
  public static Future<Output> run(SandboxRuntime runtime, String container, int uid, String script, List<String> args,
                            byte[] stdin, long maxStdout, long timeoutMs) {
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
    command.addAll(args);
    return runtime.exec(container, uid, command).compose(streams -> collect(streams, stdin, maxStdout, timeoutMs));
  }

  private static Future<Output> collect(ExecStreams streams, byte[] stdin, long maxStdout, long timeoutMs) {
    Promise<Output> done = Promise.promise();
    Buffer out = Buffer.buffer();
    Buffer err = Buffer.buffer();
    boolean[] overflow = {false};
    streams.output().handler(chunk -> {
      Buffer target = chunk.stderr() ? err : out;
      long cap = chunk.stderr() ? MAX_STDERR : maxStdout;
      int room = (int) Math.max(0, Math.min(chunk.bytes().length, cap - target.length()));
      target.appendBytes(chunk.bytes(), 0, room);
      if (!chunk.stderr() && room < chunk.bytes().length) {
        overflow[0] = true;
        streams.output().close();
        done.tryComplete(new Output(out, err.toString(StandardCharsets.UTF_8), true));
      }
    });
    streams.output().exceptionHandler(done::tryFail);
    streams.output().endHandler(v -> done.tryComplete(new Output(out, err.toString(StandardCharsets.UTF_8),
      overflow[0])));
    streams.output().resume();
    if (stdin != null && stdin.length > 0) {
      streams.stdin().write(stdin);
    }
    streams.stdin().end(() -> { });
    return done.future().timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .recover(e -> Future.failedFuture(e instanceof GatewayException ? e
        : new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "the session's sandbox did not answer: " + e.getMessage())))
      .eventually(() -> {
        streams.output().close();
        streams.stdin().close();
        return Future.succeededFuture();
      });
  }
}
