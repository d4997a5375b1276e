package io.execgate.http;

import io.execgate.error.GatewayException;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.stream.FrameSink;
import io.vertx.core.json.JsonObject;

/**
 * What an interactive socket's wire protocol decides; {@link ExecutionSocket} does the rest (the
 * execution, admission, stdin and signals, limits, pacing, cancel on close) the same for every
 * protocol: the gateway's own ({@code /v1/ws}) and Piston's ({@code /api/v2/connect}).
 */
interface SocketDialect {

  /**
   * @return the type of the message that starts the execution
   */
  String startType();

  /**
   * @param start the start message
   * @return its submit body (as {@code POST /v1/executions} takes it)
   * @throws GatewayException what is wrong with it, in the protocol's words
   */
  JsonObject submitBody(JsonObject start);

  /**
   * @param start the start message
   * @return the session it runs in, or {@code null} for a fresh sandbox
   * @throws GatewayException when the session field is not a string
   */
  default String session(JsonObject start) {
    return null;
  }

  /**
   * Acts on one decoded message (the start message included) through {@code session}.
   */
  void dispatch(JsonObject msg, Session session);

  /**
   * @return milliseconds a client has to send a valid start message, 0 for no bound
   */
  long startTimeoutMs();

  /**
   * No valid start message came in time: close.
   */
  void startTimedOut(WebSocketSink sink);

  /**
   * The execution was admitted: a protocol may tell the client.
   */
  void admitted(WebSocketSink sink, ExecutionJob job);

  /**
   * @return where the execution's frames go: the protocol's messages on {@code sink}, closed at the end
   */
  FrameSink output(WebSocketSink sink, ExecutionJob job);

  /**
   * A message that could not be decoded, or a start message that cannot run (invalid, refused at admission).
   */
  void invalid(WebSocketSink sink, GatewayException error);

  /**
   * A message was dropped (over a rate, not deliverable): the session goes on.
   */
  void refused(WebSocketSink sink, GatewayException error);

  /**
   * The session ends on an error of the client's: tell it why, close with {@code closeCode}.
   */
  void fail(WebSocketSink sink, int closeCode, GatewayException error);

  /**
   * A binary frame: no protocol takes them.
   */
  void binary(WebSocketSink sink);

  /**
   * What a dialect can do with a socket's execution.
   */
  interface Session {

    /**
     * @return whether no execution was started yet
     */
    boolean idle();

    /**
     * Starts the execution of the start message being dispatched (or reports why it cannot run).
     */
    void startExecution();

    /**
     * @return whether a control message ({@code type}) is within the socket's control rate; if
     *   not, the client was told (or the socket closed)
     */
    boolean controlAllowed(String type);

    /**
     * Sends {@code control} to the execution (kept in order while it is admitted).
     */
    void control(Control control);

    /**
     * Refuses a message, counted against the socket's bound on refused messages.
     *
     * @param error what the client is told, or {@code null} to refuse it silently
     */
    void refuse(GatewayException error);

    /**
     * Tells the client, the session goes on.
     */
    void error(GatewayException error);

    /**
     * Ends the session on a protocol violation.
     */
    void close(int closeCode, GatewayException error);
  }
}
