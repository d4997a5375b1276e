package io.execgate.error;

import io.vertx.core.VertxException;

/**
 * An expected failure with an {@link ErrorCode}, a human message and, when one request field is at
 * fault, that field's path. Built without a stack trace: these are outcomes, not bugs.
 */
public final class GatewayException extends VertxException {

  private final ErrorCode code;
  private final String field;

  public GatewayException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public GatewayException(ErrorCode code, String message, String field) {
    this(code, message, field, null);
  }

  public GatewayException(ErrorCode code, String message, String field, Throwable cause) {
    super(message, cause, true);
    this.code = code;
    this.field = field;
  }

  public ErrorCode code() {
    return code;
  }

  /**
   * @return the request field at fault, or {@code null}
   */
  public String field() {
    return field;
  }

  public static GatewayException invalid(String field, String message) {
    return new GatewayException(ErrorCode.INVALID_REQUEST, message, field);
  }
}
