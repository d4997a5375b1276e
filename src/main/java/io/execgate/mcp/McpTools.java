package io.execgate.mcp;

import io.execgate.auth.Principal;
import io.execgate.client.ExecutionControl;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.error.Replies;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.RuntimeSpec;
import io.execgate.request.RuntimeCatalog;
import io.execgate.store.ExecutionStore;
import io.execgate.stream.ResultWaiter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * The tools: their descriptions and input schemas ({@code tools/list}) and their calls. A
 * {@code run_code} call becomes a submit body read by the API's own parser and goes through the
 * same admission as {@code POST /v1/executions?wait=true}: the key's runtimes, images, quota and the
 * scheduler's queue apply, and a refusal is a tool error with the API's code and message.
 */
final class McpTools {

  private static final Logger log = LoggerFactory.getLogger(McpTools.class);

  static final String LIST_RUNTIMES = "list_runtimes";
  static final String RUN_CODE = "run_code";
  private static final Set<String> RUN_FIELDS = Set.of("language", "code", "stdin", "args", "timeoutMs", "version");
  /** Attempts to cancel an execution the scheduler may not have recorded yet, 100 ms apart. */
  private static final int CANCEL_ATTEMPTS = 50;

  private final Vertx vertx;
  private final RuntimeCatalog runtimes;
  private final String defaultRuntime;
  private final ResultWaiter waiter;
  private final ExecutionControl executions;
  private final ExecutionStore store;
  private final SubmitParser parser;

  McpTools(Vertx vertx, RuntimeCatalog runtimes, String defaultRuntime, ResultWaiter waiter,
           ExecutionControl executions, ExecutionStore store, SubmitParser parser) {
    this.vertx = vertx;
    this.runtimes = runtimes;
    this.defaultRuntime = defaultRuntime;
    this.waiter = waiter;
    this.executions = executions;
    this.store = store;
    this.parser = parser;
  }

  /**
   * One tool call's link to its client: live output and cancellation.
   */
  static final class Call {

    final Principal principal;
    /** Sees each chunk of output as it comes ({@code true} for stderr), or {@code null}. */
    final Output output;
    /** Completes when the client goes away: the waiting stops, the execution runs to its end. */
    final Future<?> abandoned;
    volatile boolean cancelled;
    private volatile String executionId;

    Call(Principal principal, Output output, Future<?> abandoned) {
      this.principal = principal;
      this.output = output;
      this.abandoned = abandoned;
    }
  }

  /**
   * Where live output goes.
   */
  @FunctionalInterface
  interface Output {
    void chunk(boolean stderr, String text);
  }

  JsonArray list() {
    JsonObject runSchema = new JsonObject()
      .put("type", "object")
      .put("properties", new JsonObject()
        .put("language", new JsonObject().put("type", "string")
          .put("description", "Runtime name or alias, as list_runtimes shows them (e.g. python, sh, node)."))
        .put("code", new JsonObject().put("type", "string")
          .put("description", "The program's source, written to the runtime's entry file and run."))
        .put("stdin", new JsonObject().put("type", "string").put("description", "Text given on standard input."))
        .put("args", new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string"))
          .put("description", "Command-line arguments."))
        .put("timeoutMs", new JsonObject().put("type", "integer").put("minimum", 1)
          .put("description", "Wall-clock limit of the run in milliseconds (the operator's maximum applies)."))
        .put("version", new JsonObject().put("type", "string")
          .put("description", "Version selector of the runtime (e.g. 3.11.2, 3.x, *); default: the newest.")))
      .put("required", new JsonArray().add("language").add("code"))
      .put("additionalProperties", false);
    return new JsonArray()
      .add(new JsonObject()
        .put("name", LIST_RUNTIMES)
        .put("title", "List runtimes")
        .put("description", "Lists the languages run_code accepts for this API key, with their versions and "
          + "aliases. Call it first when unsure of a language's name.")
        .put("inputSchema", new JsonObject().put("type", "object").put("properties", new JsonObject())
          .put("additionalProperties", false))
        .put("annotations", new JsonObject().put("readOnlyHint", true).put("openWorldHint", false)))
      .add(new JsonObject()
        .put("name", RUN_CODE)
        .put("title", "Run code")
        .put("description", "Runs a program in a fresh, locked-down container (no network, read-only file "
          + "system but /tmp, memory, CPU and time limits) and returns its status, exit code, stdout and stderr. "
          + "Each call starts from a clean container: nothing persists between calls. A non-zero exit code is "
          + "a result, not a tool error; tool errors (isError) mean the program could not run, with the reason.")
        .put("inputSchema", runSchema)
        .put("annotations", new JsonObject().put("readOnlyHint", false).put("destructiveHint", false)
          .put("idempotentHint", false).put("openWorldHint", false)));
  }

  /**
   * @return the call's {@code CallToolResult}; a failure of the tool is a result with {@code isError}
   */
  Future<JsonObject> call(String name, JsonObject arguments, Call call) {
    if (LIST_RUNTIMES.equals(name)) {
      return Future.succeededFuture(listRuntimes(call.principal));
    }
    return runCode(arguments, call).recover(err -> Future.succeededFuture(toolError(err)));
  }

  private JsonObject listRuntimes(Principal principal) {
    JsonArray list = new JsonArray();
    StringBuilder text = new StringBuilder();
    for (RuntimeSpec spec : runtimes.all()) {
      if (!principal.mayUseRuntime(spec.name())) {
        continue;
      }
      list.add(new JsonObject().put("name", spec.name()).put("version", spec.version())
        .put("aliases", new JsonArray(spec.aliases())).put("compiled", spec.compile() != null));
      text.append(spec.name()).append(' ').append(spec.version());
      if (!spec.aliases().isEmpty()) {
        text.append(" (aliases: ").append(String.join(", ", spec.aliases())).append(')');
      }
      text.append('\n');
    }
    text.append("default: ").append(defaultRuntime);
    return new JsonObject()
      .put("content", new JsonArray().add(textContent(text.toString())))
      .put("structuredContent", new JsonObject().put("default", defaultRuntime).put("runtimes", list));
  }

  private Future<JsonObject> runCode(JsonObject arguments, Call call) {
    JsonObject args = arguments == null ? new JsonObject() : arguments;
    for (String key : args.fieldNames()) {
      if (!RUN_FIELDS.contains(key)) {
        return Future.failedFuture(GatewayException.invalid(key, "unknown argument " + key + "; run_code takes "
          + String.join(", ", RUN_FIELDS.stream().sorted().toList())));
      }
    }
    if (!(args.getValue("code") instanceof String code)) {
      return Future.failedFuture(GatewayException.invalid("code", "code is required and must be a string"));
    }
    JsonObject submit = new JsonObject().put("script", code);
    for (String key : new String[]{"language", "version", "stdin", "args"}) {
      if (args.containsKey(key)) {
        submit.put(key, args.getValue(key));
      }
    }
    if (args.containsKey("timeoutMs")) {
      submit.put("limits", new JsonObject().put("timeoutMs", args.getValue("timeoutMs")));
    }
    return parser.parse(submit).compose(job -> run(job, call));
  }

  private Future<JsonObject> run(ExecutionJob job, Call call) {
    call.executionId = job.id();
    if (call.cancelled) {
      return Future.failedFuture(new GatewayException(ErrorCode.CANCELLED, "the call was cancelled"));
    }
    Handler<Frame> frames = call.output == null ? null : frame -> {
      if (frame.type() == Frame.Type.STDOUT || frame.type() == Frame.Type.STDERR) {
        call.output.chunk(frame.type() == Frame.Type.STDERR, frame.data());
      }
    };
    return waiter.submitAndWait(job, call.principal, call.abandoned, frames)
      .compose(store::full)
      .map(McpTools::runResult);
  }

  /**
   * Cancels the call's execution (its container is killed and removed). The scheduler records an
   * execution as it admits it: a cancel that comes first is retried for a few seconds.
   */
  void cancel(Call call) {
    call.cancelled = true;
    String id = call.executionId;
    if (id != null) {
      cancel(id, call.principal, CANCEL_ATTEMPTS);
    }
  }

  private void cancel(String id, Principal principal, int attempts) {
    executions.cancel(id, principal).onFailure(err -> {
      if (err instanceof GatewayException ge && ge.code() == ErrorCode.NOT_FOUND && attempts > 1) {
        vertx.setTimer(100, t -> cancel(id, principal, attempts - 1));
      }
    });
  }

  static JsonObject runResult(ExecutionResult result) {
    StringBuilder text = new StringBuilder();
    text.append("status: ").append(result.status().id()).append('\n');
    if (result.exitCode() != null) {
      text.append("exit code: ").append(result.exitCode()).append('\n');
    }
    if (result.signal() != null) {
      text.append("signal: ").append(result.signal()).append('\n');
    }
    if (result.durationMs() != null) {
      text.append("duration: ").append(result.durationMs()).append(" ms\n");
    }
    if (result.message() != null) {
      text.append("message: ").append(result.message()).append('\n');
    }
    if (result.compile() != null && result.compile().exitCode() != null && result.compile().exitCode() != 0) {
      text.append("compile exit code: ").append(result.compile().exitCode()).append('\n');
      section(text, "compile stdout", result.compile().stdout(), result.compile().stdoutTruncated());
      section(text, "compile stderr", result.compile().stderr(), result.compile().stderrTruncated());
    }
    section(text, "stdout", result.stdout(), result.stdoutTruncated());
    section(text, "stderr", result.stderr(), result.stderrTruncated());
    JsonObject structured = result.toJson();
    structured.remove("owner");
    structured.remove("worker");
    return new JsonObject()
      .put("content", new JsonArray().add(textContent(text.toString())))
      .put("structuredContent", structured)
      .put("isError", result.status() == ExecutionStatus.ERROR);
  }

  private static void section(StringBuilder text, String name, String body, boolean truncated) {
    text.append("--- ").append(name).append(truncated ? " (truncated at the output limit) ---\n" : " ---\n");
    if (body != null && !body.isEmpty()) {
      text.append(body);
      if (!body.endsWith("\n")) {
        text.append('\n');
      }
    }
  }

  /**
   * A failure as the HTTP API reports it ({@code {"error":{"code","message","field"}}}), as a tool error.
   */
  static JsonObject toolError(Throwable err) {
    GatewayException ge = err instanceof GatewayException g ? g : Replies.toGatewayException(err);
    if (ge.code() == ErrorCode.INTERNAL) {
      log.error("an MCP tool call failed", err);
    }
    JsonObject error = new JsonObject().put("code", ge.code().id()).put("message", ge.getMessage());
    if (ge.field() != null) {
      error.put("field", ge.field());
    }
    String text = ge.code().id() + " (HTTP " + ge.code().httpStatus() + "): " + ge.getMessage();
    return new JsonObject()
      .put("content", new JsonArray().add(textContent(text)))
      .put("structuredContent", new JsonObject().put("error", error))
      .put("isError", true);
  }

  private static JsonObject textContent(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }
}
