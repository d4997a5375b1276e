package io.execgate.session;

import io.execgate.model.ExecutionJob;
import io.execgate.model.ResourceLimits;
import io.vertx.core.json.JsonObject;

/**
 * Binds an execution to a session, the same for the HTTP API, the WebSocket and the embedding client.
 */
public final class SessionBinding {

  private SessionBinding() {
  }

  /**
   * @param job       the execution, resolved in the session's runtime
   * @param session   the session as its verticle describes it
   * @param sessionId the session's id
   * @return the job bound to the session: its runtime, image and sandbox limits are the session's; in a
   *   stateful session, a cell of its interpreter
   */
  public static ExecutionJob bind(ExecutionJob job, JsonObject session, String sessionId) {
    JsonObject sl = session.getJsonObject("limits");
    ResourceLimits l = job.limits();
    ResourceLimits limits = new ResourceLimits(l.timeoutMs(), sl.getInteger("memoryMb"), sl.getDouble("cpus"),
      sl.getInteger("pids"), l.outputBytes(), l.outputFilesBytes());
    ExecutionJob bound = new ExecutionJob(job.id(), job.submittedAt(), job.runtime(), session.getString("image"),
      job.files(), job.stdin(), job.args(), job.env(), limits, job.interactive(), job.owner(), job.tests(),
      job.compilerOptions(), sessionId);
    return session.getBoolean("stateful", false) ? PythonKernel.cell(bound) : bound;
  }
}
