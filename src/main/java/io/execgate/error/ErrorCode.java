package io.execgate.error;

/**
 * The gateway's one error vocabulary: a stable string id for clients, a stable number for the
 * event bus ({@code Message#fail(int, String)}) and the HTTP status it maps to.
 */
public enum ErrorCode {

  INVALID_JSON("invalid_json", 1, 400),
  INVALID_REQUEST("invalid_request", 2, 400),
  UNSUPPORTED_LANGUAGE("unsupported_language", 3, 400),
  UNAUTHORIZED("unauthorized", 4, 401),
  FORBIDDEN("forbidden", 5, 403),
  IMAGE_NOT_ALLOWED("image_not_allowed", 6, 403),
  NOT_FOUND("not_found", 7, 404),
  METHOD_NOT_ALLOWED("method_not_allowed", 8, 405),
  NOT_ACCEPTABLE("not_acceptable", 9, 406),
  ALREADY_FINISHED("already_finished", 10, 409),
  PAYLOAD_TOO_LARGE("payload_too_large", 11, 413),
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 12, 415),
  LIMIT_EXCEEDED("limit_exceeded", 13, 422),
  CAPACITY_EXHAUSTED("capacity_exhausted", 14, 429),
  RATE_LIMITED("rate_limited", 15, 429),
  INTERNAL("internal", 16, 500),
  IMAGE_NOT_FOUND("image_not_found", 17, 404),
  IMAGE_PULL_FAILED("image_pull_failed", 18, 502),
  IMAGE_REFUSED("image_refused", 19, 422),
  DOCKER_UNAVAILABLE("docker_unavailable", 20, 503),
  NOT_READY("not_ready", 21, 503),
  SHUTTING_DOWN("shutting_down", 22, 503),
  EXECUTION_TIMEOUT("execution_timeout", 23, 504),
  CANCELLED("cancelled", 24, 409),
  REGISTRY_AUTH_FAILED("registry_auth_failed", 25, 502),
  QUOTA_EXCEEDED("quota_exceeded", 26, 429),
  IDEMPOTENCY_CONFLICT("idempotency_conflict", 27, 409),
  // streaming (numbered apart so that codes added in parallel do not collide)
  REPLAY_UNAVAILABLE("replay_unavailable", 40, 410),
  STREAM_TOO_SLOW("stream_too_slow", 41, 429),
  PROTOCOL_VIOLATION("protocol_violation", 42, 400),
  // tenancy (numbered apart, as above)
  MISDIRECTED_REQUEST("misdirected_request", 60, 421),
  // connection bounds
  TOO_MANY_STREAMS("too_many_streams", 50, 429),
  // completion webhooks (numbered apart, as above)
  CALLBACK_NOT_ALLOWED("callback_not_allowed", 70, 403),
  // sessions (numbered apart, as above)
  SESSION_BUSY("session_busy", 80, 409),
  SESSION_LIMIT("session_limit", 81, 429),
  SESSION_ENDED("session_ended", 82, 410),
  SESSIONS_UNAVAILABLE("sessions_unavailable", 83, 503),
  SESSION_STORAGE_FULL("session_storage_full", 84, 507),
  WORKER_LOST("worker_lost", 85, 410);

  private final String id;
  private final int number;
  private final int httpStatus;

  ErrorCode(String id, int number, int httpStatus) {
    this.id = id;
    this.number = number;
    this.httpStatus = httpStatus;
  }

  /**
   * @return the machine-readable code sent to clients, e.g. {@code invalid_request}
   */
  public String id() {
    return id;
  }

  /**
   * @return the stable number used as the event-bus failure code
   */
  public int number() {
    return number;
  }

  /**
   * @return the HTTP status this error is answered with
   */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * @param number an event-bus failure code
   * @return the code with that number, or {@link #INTERNAL} when none has it
   */
  public static ErrorCode byNumber(int number) {
    for (ErrorCode code : values()) {
      if (code.number == number) {
        return code;
      }
    }
    return INTERNAL;
  }
}
