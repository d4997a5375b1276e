package io.execgate.docker;

import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;

import java.io.IOException;
import java.net.ConnectException;

/**
 * Translates docker-java failures into the gateway's error model, so that no docker-java type
 * leaves this package.
 */
final class DockerErrors {

  private DockerErrors() {
  }

  static GatewayException map(Throwable err, String what) {
    return map(err, what, null);
  }

  /**
   * @param host the engine's address, named in "unreachable" messages
   */
  static GatewayException map(Throwable err, String what, String host) {
    if (err instanceof GatewayException ge) {
      return ge;
    }
    if (err instanceof NotFoundException nf) {
      return new GatewayException(ErrorCode.NOT_FOUND, what + ": " + engineMessage(nf));
    }
    if (err instanceof DockerException de) {
      return new GatewayException(ErrorCode.INTERNAL, what + ": engine answered " + de.getHttpStatus() + ": "
        + engineMessage(de));
    }
    if (err instanceof DockerClientException) {
      return new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, what + ": " + err.getMessage());
    }
    Throwable root = rootCause(err);
    if (root instanceof IOException) {
      String reason = root instanceof ConnectException || String.valueOf(root.getMessage()).contains("No such file")
        ? "the Docker engine" + (host == null ? "" : " at " + host) + " is unreachable (" + root.getMessage() + ")"
        : "the connection to the Docker engine" + (host == null ? "" : " at " + host) + " failed (" + root.getMessage()
        + ")";
      return new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, what + ": " + reason);
    }
    return new GatewayException(ErrorCode.INTERNAL, what + ": " + root, null, err);
  }

  /**
   * @return the engine's own message, without docker-java's "Status 404: {...}" wrapping
   */
  static String engineMessage(DockerException e) {
    String m = String.valueOf(e.getMessage());
    int start = m.indexOf("{\"message\":\"");
    if (start >= 0) {
      int from = start + "{\"message\":\"".length();
      int end = m.lastIndexOf("\"}");
      if (end > from) {
        return m.substring(from, end).replace("\\\"", "\"");
      }
    }
    return m.trim();
  }

  static Throwable rootCause(Throwable err) {
    Throwable t = err;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
