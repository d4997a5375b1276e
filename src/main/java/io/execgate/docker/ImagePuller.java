package io.execgate.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PullResponseItem;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ImageRef;
import io.execgate.model.RegistryCredentials;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One pull attempt through the engine (the engine talks to the registry), bounded by a deadline:
 * at the deadline the pull's stream is closed, which makes the engine abandon it.
 */
final class ImagePuller {

  private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

  private final Vertx vertx;
  private final DockerClient client;

  ImagePuller(Vertx vertx, DockerClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  Future<Void> pull(String image, long timeoutMs, RegistryCredentials credentials) {
    ImageRef ref;
    try {
      ref = ImageRef.parse(image);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(GatewayException.invalid("image", e.getMessage()));
    }
    String registry = ref.registry() == null ? "docker.io" : ref.registry();
    Context ctx = vertx.getOrCreateContext();
    Promise<Void> promise = Promise.promise();
    AtomicBoolean done = new AtomicBoolean();
    ResultCallback.Adapter<PullResponseItem> callback = new ResultCallback.Adapter<>() {
      private volatile String error;

      @Override
      public void onNext(PullResponseItem item) {
        if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
          error = item.getErrorDetail().getMessage();
        } else if (item.getError() != null) {
          error = item.getError();
        }
      }

      @Override
      public void onError(Throwable err) {
        finish(failure(image, registry, err));
      }

      @Override
      public void onComplete() {
        finish(error == null ? null : PullErrors.classify(image, registry, 0, error));
      }

      private void finish(Throwable err) {
        if (done.compareAndSet(false, true)) {
          ctx.runOnContext(v -> {
            if (err == null) {
              promise.complete();
            } else {
              promise.fail(err);
            }
          });
        }
      }
    };
    try {
      PullImageCmd cmd = client.pullImageCmd(ref.repository()).withTag(ref.pullTag());
      if (credentials != null) {
        cmd.withAuthConfig(new AuthConfig()
          .withRegistryAddress(registry)
          .withUsername(credentials.username())
          .withPassword(credentials.password()));
      }
      cmd.exec(callback);
    } catch (RuntimeException e) {
      return Future.failedFuture(failure(image, registry, e));
    }
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (done.compareAndSet(false, true)) {
        closeQuietly(callback);
        promise.fail(PullErrors.timedOut(image, registry, timeoutMs));
      }
    });
    return promise.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  private static GatewayException failure(String image, String registry, Throwable err) {
    if (err instanceof DockerException de) {
      return PullErrors.classify(image, registry, de.getHttpStatus(), DockerErrors.engineMessage(de));
    }
    GatewayException mapped = DockerErrors.map(err, "pulling " + image);
    return mapped.code() == ErrorCode.DOCKER_UNAVAILABLE ? mapped
      : PullErrors.classify(image, registry, 0, String.valueOf(DockerErrors.rootCause(err).getMessage()));
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      log.debug("closing a pull stream failed", e);
    }
  }
}
