package io.execgate.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;

/**
 * A callback that keeps its failure for the caller: docker-java's own logs every failure as an
 * error with its stack trace, also those that are an expected outcome.
 */
final class QuietCallback extends ResultCallback.Adapter<Frame> {
  volatile Throwable error;

  @Override
  public void onError(Throwable err) {
    error = err;
    ContainerAttacher.closeQuietly(this);
  }
}
