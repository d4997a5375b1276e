package io.execgate;

import io.execgate.client.EventBusExecutionClient;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.SessionFile;
import io.execgate.model.SessionInfo;
import io.execgate.model.SessionRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * A client of an execution gateway inside the same {@link Vertx}: it submits executions, follows
 * them and cancels them over the event bus, without HTTP. It uses nothing but the gateway's
 * event-bus addresses (the scheduler's admit address, each execution's output, replay and control
 * addresses) and the shared map of execution records, so in a clustered {@code Vertx} it works the
 * same from any node those reach.
 * <p>
 * Requests are validated by the gateway's rules before they are submitted, so a request the HTTP
 * API would refuse is refused here with the same {@link io.execgate.error.GatewayException#code()
 * code} naming the same {@link io.execgate.error.GatewayException#field() field}. Every returned
 * future fails with a {@link io.execgate.error.GatewayException}; its callbacks, and the handlers of
 * an {@link ExecutionStream}, run on the context of the caller (a new event-loop context when the
 * caller is not on one).
 * <p>
 * The client is trusted like the application it lives in: API keys, per-key quotas and rates do not
 * apply to it, and it reads and cancels every execution, whichever key submitted it (its own belong to
 * no key: keys that are not admins never see them); the gateway's admission control (running and
 * queued executions) does apply.
 */
public interface ExecutionClient {

  /**
   * Creates a client of the gateway that runs with {@code options}.
   *
   * @param vertx   the Vertx the gateway runs in (or a Vertx clustered with it)
   * @param options the gateway's options: its address prefix, runtimes, image policy and limits
   * @return the client
   */
  static ExecutionClient create(Vertx vertx, GatewayOptions options) {
    return new EventBusExecutionClient(vertx, options);
  }

  /**
   * Runs an execution and waits for its end.
   *
   * @param request what to run
   * @return a future completed with the final result (status, exit code, output, timings), or failed
   *   when the request is invalid or not admitted (e.g. {@code capacity_exhausted})
   */
  Future<ExecutionResult> execute(ExecutionRequest request);

  /**
   * Runs an execution and streams its frames: {@code accepted}, {@code status}, {@code stdout},
   * {@code stderr}, {@code truncated}, and {@code exit} last, after which the stream ends.
   * <p>
   * The stream owns the execution and applies back-pressure to it: while the stream is paused (or
   * has no handler) the gateway stops reading the program's output, so the program blocks on its
   * writes until the stream is resumed; no byte is dropped. The program's deadline still applies.
   * If the stream fails, the execution is cancelled. To stop early, {@link #cancel(String) cancel}
   * it with {@link ExecutionStream#id()}.
   *
   * @param request what to run
   * @return a future completed with the stream once the execution is admitted, or failed when the
   *   request is invalid or not admitted
   */
  Future<ExecutionStream> stream(ExecutionRequest request);

  /**
   * Reads an execution's record.
   *
   * @param id the execution id
   * @return a future completed with its status, or its final result once it ended; failed with
   *   {@code not_found} when there is no such execution (or its record expired)
   */
  Future<ExecutionResult> get(String id);

  /**
   * Cancels a live execution: its container is killed and removed.
   *
   * @param id the execution id
   * @return a future completed with its final result (status {@code cancelled}), or failed with
   *   {@code already_finished} when it had ended, or {@code not_found}
   */
  Future<ExecutionResult> cancel(String id);

  /**
   * Creates a session: a sandbox that keeps its working directory across executions (see
   * {@code POST /v1/sessions}). It belongs to the client, which sees every session.
   *
   * @param request its runtime, image, limits and lifetimes
   * @return a future completed with the ready session, or failed as the HTTP API refuses it
   *   ({@code session_limit}, {@code invalid_request}, {@code sessions_unavailable}, ...)
   */
  Future<SessionInfo> createSession(SessionRequest request);

  /**
   * Runs an execution in a session and waits for its end, as {@code POST /v1/sessions/{id}/executions}.
   *
   * @param sessionId the session
   * @param request   what to run, without language, version, image or sandbox limits (the session's)
   * @return a future completed with the final result (in a stateful Python session, with the cell's
   *   rich outputs: {@link ExecutionResult#outputs()}), or failed with {@code not_found},
   *   {@code session_ended}, {@code session_busy} (one execution at a time) or {@code invalid_request}
   */
  Future<ExecutionResult> execute(String sessionId, ExecutionRequest request);

  /**
   * Writes a file into a session's working directory, through the sandbox.
   *
   * @param sessionId the session
   * @param path      a path relative to the working directory, without {@code ..}
   * @param content   the file's bytes
   * @return a future completed once written, or failed ({@code invalid_request} naming {@code path},
   *   {@code payload_too_large}, {@code session_storage_full}, {@code session_busy}, ...)
   */
  Future<Void> putFile(String sessionId, String path, Buffer content);

  /**
   * @param sessionId the session
   * @param path      a path relative to the working directory
   * @return a future completed with the file's bytes, or failed with {@code not_found}
   */
  Future<Buffer> getFile(String sessionId, String path);

  /**
   * @param sessionId the session
   * @return a future completed with the entries of the session's working directory
   */
  Future<List<SessionFile>> listFiles(String sessionId);

  /**
   * @param sessionId the session
   * @param path      a path relative to the working directory
   * @return a future completed once the file is removed
   */
  Future<Void> deleteFile(String sessionId, String path);

  /**
   * Ends a session: its container is killed and removed.
   *
   * @param sessionId the session
   * @return a future completed once it is removed, or failed with {@code not_found}
   */
  Future<Void> closeSession(String sessionId);
}
