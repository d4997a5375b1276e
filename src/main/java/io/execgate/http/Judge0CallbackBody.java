package io.execgate.http;

import io.execgate.bus.Addresses;
import io.execgate.model.ExecutionResult;
import io.execgate.webhook.CallbackBody;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * What Judge0 PUTs to a submission's {@code callback_url} once it is final: the submission serialized
 * with {@code base64_encoded} and the serializer's default fields ({@code token}, {@code time},
 * {@code memory}, {@code stdout}, {@code stderr}, {@code compile_output}, {@code message},
 * {@code status}), as a {@code GET /submissions/{token}?base64_encoded=true} answers.
 */
public final class Judge0CallbackBody implements CallbackBody {

  private final String submissionsMap;

  /**
   * @param addresses the gateway's addresses (the map of what the Judge0 layer keeps of a submission)
   */
  public Judge0CallbackBody(Addresses addresses) {
    this.submissionsMap = addresses.judge0Map();
  }

  @Override
  public Future<Buffer> render(Vertx vertx, ExecutionResult result) {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(submissionsMap)
      .compose(map -> map.get(result.id()))
      .map(json -> body(result, json == null ? null : Judge0Submission.fromJson(json)));
  }

  static Buffer body(ExecutionResult result, Judge0Submission submission) {
    return Judge0Output.render(result, submission, submission == null ? null : submission.languageId(), null, true,
      Judge0Output.DEFAULT_FIELDS).toBuffer();
  }
}
