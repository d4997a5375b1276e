package io.execgate.webhook;

import io.execgate.model.ExecutionResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The body of a Judge0 submission's callback (its {@code callback_url}): the API layer knows how Judge0
 * serializes a submission, the webhook verticle only delivers it.
 */
@FunctionalInterface
public interface CallbackBody {

  /**
   * @param result the final execution, with its texts
   * @return the JSON to PUT to the callback URL
   */
  Future<Buffer> render(Vertx vertx, ExecutionResult result);
}
