package io.execgate;

import io.execgate.model.Frame;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * The frames of one execution, in order and without gaps, from {@code accepted} (seq 0) to
 * {@code exit}, after which the stream ends. Obtained from {@link ExecutionClient#stream}. A stateful
 * Python cell's rich outputs are {@code display} frames ({@link Frame#display()}), before {@code exit}.
 * <p>
 * Back-pressure reaches the program: {@link #pause()} (or a {@link #fetch(long) demand} used up)
 * stops the gateway from reading the program's output, so the program blocks on its writes until
 * the stream is resumed. Handlers are called on the context that created the stream.
 */
public interface ExecutionStream extends ReadStream<Frame> {

  /**
   * @return the id of the execution
   */
  String id();

  /**
   * Set an exception handler: the stream cannot go on (e.g. its executor stopped answering); the
   * execution is cancelled.
   *
   * @return a reference to this, so the API can be used fluently
   */
  @Override
  ExecutionStream exceptionHandler(Handler<Throwable> handler);

  /**
   * Set the handler of frames.
   *
   * @return a reference to this, so the API can be used fluently
   */
  @Override
  ExecutionStream handler(Handler<Frame> handler);

  /**
   * Pause the stream, and the program's output with it.
   *
   * @return a reference to this, so the API can be used fluently
   */
  @Override
  ExecutionStream pause();

  /**
   * Resume the stream, and the program's output with it.
   *
   * @return a reference to this, so the API can be used fluently
   */
  @Override
  ExecutionStream resume();

  /**
   * Fetch {@code amount} more frames.
   *
   * @return a reference to this, so the API can be used fluently
   */
  @Override
  ExecutionStream fetch(long amount);

  /**
   * Set a handler called once the {@code exit} frame was delivered.
   *
   * @return a reference to this, so the API can be used fluently
   */
  @Override
  ExecutionStream endHandler(Handler<Void> endHandler);
}
