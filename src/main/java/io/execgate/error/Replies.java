package io.execgate.error;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

/**
 * Crossing the event bus: failures travel as {@code fail(code.number(), message)} and come back as
 * {@link GatewayException}s.
 */
public final class Replies {

  private Replies() {
  }

  /**
   * Fails {@code message} with the code of {@code err} (INTERNAL for anything unexpected).
   */
  public static void fail(Message<?> message, Throwable err) {
    GatewayException ge = toGatewayException(err);
    message.fail(ge.code().number(), ge.getMessage());
  }

  /**
   * Maps anything that failed a bus request (or a local future) to a {@link GatewayException}.
   */
  public static GatewayException toGatewayException(Throwable err) {
    if (err instanceof GatewayException ge) {
      return ge;
    }
    if (err instanceof ReplyException re) {
      switch (re.failureType()) {
        case RECIPIENT_FAILURE:
          return new GatewayException(ErrorCode.byNumber(re.failureCode()), re.getMessage());
        case TIMEOUT:
          return new GatewayException(ErrorCode.INTERNAL, "an internal request timed out: " + re.getMessage());
        case NO_HANDLERS:
          return new GatewayException(ErrorCode.DOCKER_UNAVAILABLE, "no executor is available to take the request");
        default:
          return new GatewayException(ErrorCode.INTERNAL, String.valueOf(re.getMessage()));
      }
    }
    String message = err.getMessage() != null ? err.getMessage() : err.getClass().getSimpleName();
    return new GatewayException(ErrorCode.INTERNAL, message, null, err);
  }
}
