package io.execgate.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Attaches to a container's output and to its stdin: docker-java streams them on its own threads,
 * and the attach is handed back to the caller's context once the engine has accepted it.
 */
final class ContainerAttacher {

  private static final Logger log = LoggerFactory.getLogger(ContainerAttacher.class);
  /** Bytes of output buffered per attach before the engine's reader thread blocks. */
  static final long OUTPUT_HIGH_WATER_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final DockerClient client;
  private final long callTimeoutMs;

  ContainerAttacher(Vertx vertx, DockerClient client, long callTimeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.callTimeoutMs = callTimeoutMs;
  }

  Future<AttachedOutput> attachOutput(String containerId) {
    Context ctx = vertx.getOrCreateContext();
    AttachedOutput output = new AttachedOutput(ctx, OUTPUT_HIGH_WATER_BYTES);
    Attach<AttachedOutput> callback = new Attach<>(ctx, output, "attach") {
      @Override
      public void onNext(Frame frame) {
        StreamType type = frame.getStreamType();
        if (type != StreamType.STDOUT && type != StreamType.STDERR && type != StreamType.RAW) {
          return;
        }
        try {
          byte[] payload = frame.getPayload();
          output.push(type == StreamType.STDERR, payload, 0, payload.length);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onError(Throwable err) {
        super.onError(err);
        output.end(DockerErrors.map(err, "output stream"));
      }

      @Override
      public void onComplete() {
        output.end(null);
      }
    };
    output.closer(() -> closeQuietly(callback));
    try {
      client.attachContainerCmd(containerId)
        .withStdOut(true)
        .withStdErr(true)
        .withFollowStream(true)
        .withLogs(false)
        .exec(callback);
    } catch (RuntimeException e) {
      return Future.failedFuture(DockerErrors.map(e, "attach"));
    }
    return callback.attached();
  }

  Future<StdinSink> attachStdin(String containerId) {
    StdinSink sink = new StdinSink();
    Attach<StdinSink> callback = new Attach<>(vertx.getOrCreateContext(), sink, "attach stdin");
    sink.closer(() -> closeQuietly(callback));
    try {
      client.attachContainerCmd(containerId)
        .withStdIn(sink.input())
        .withStdOut(false)
        .withStdErr(false)
        .withFollowStream(true)
        .exec(callback);
    } catch (RuntimeException e) {
      return Future.failedFuture(DockerErrors.map(e, "attach stdin"));
    }
    return callback.attached();
  }

  /**
   * Runs {@code command} in a running container as {@code uid}, with stdin, stdout and stderr on one
   * connection: the output ends when the process exits. Ending or closing the returned stdin only
   * stops feeding it (the engine never sees EOF, see {@link StdinSink}); closing the output drops
   * the connection.
   *
   * @param execId the exec the engine created for the command
   */
  Future<ExecStreams> startExec(String execId) {
    Context ctx = vertx.getOrCreateContext();
    AttachedOutput output = new AttachedOutput(ctx, OUTPUT_HIGH_WATER_BYTES);
    StdinSink stdin = new StdinSink();
    Attach<ExecStreams> callback = new Attach<>(ctx, new ExecStreams(output, stdin), "exec") {
      @Override
      public void onNext(Frame frame) {
        StreamType type = frame.getStreamType();
        if (type != StreamType.STDOUT && type != StreamType.STDERR && type != StreamType.RAW) {
          return;
        }
        try {
          byte[] payload = frame.getPayload();
          output.push(type == StreamType.STDERR, payload, 0, payload.length);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onError(Throwable err) {
        super.onError(err);
        output.end(DockerErrors.map(err, "exec output stream"));
      }

      @Override
      public void onComplete() {
        output.end(null);
      }
    };
    output.closer(() -> closeQuietly(callback));
    try {
      client.execStartCmd(execId).withDetach(false).withTty(false).withStdIn(stdin.input()).exec(callback);
    } catch (RuntimeException e) {
      return Future.failedFuture(DockerErrors.map(e, "exec"));
    }
    return callback.attached();
  }

  /**
   * An attach's callback: completes with {@code value} on the caller's context once the engine has
   * accepted the attach, or fails with the engine's error, whichever comes first, within the call
   * timeout. docker-java calls it on its own threads.
   */
  private class Attach<T> extends ResultCallback.Adapter<Frame> {

    private final Context ctx;
    private final T value;
    private final String operation;
    private final Promise<T> attached = Promise.promise();
    private final AtomicBoolean settled = new AtomicBoolean();

    Attach(Context ctx, T value, String operation) {
      this.ctx = ctx;
      this.value = value;
      this.operation = operation;
    }

    Future<T> attached() {
      return attached.future().timeout(callTimeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onStart(Closeable stream) {
      super.onStart(stream);
      if (settled.compareAndSet(false, true)) {
        ctx.runOnContext(v -> attached.complete(value));
      }
    }

    @Override
    public void onError(Throwable err) {
      if (settled.compareAndSet(false, true)) {
        ctx.runOnContext(v -> attached.fail(DockerErrors.map(err, operation)));
      }
    }
  }

  static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      log.debug("closing a Docker stream failed", e);
    }
  }
}
