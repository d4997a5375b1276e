package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MCP server driven by a real MCP client: the official TypeScript SDK
 * ({@code @modelcontextprotocol/sdk} from npm, its Streamable HTTP client transport, run by
 * {@code node} from {@code src/test/js}) initializes, lists the tools, runs sh and python, sees live
 * output as progress, and cancels a long run (its container is gone); 50 agents at once get results
 * or 429-shaped tool errors. Raw requests check the transport's edges: no key, another key's
 * session, forged and ended sessions, malformed JSON-RPC, a huge or deep body, too many sessions.
 */
class McpIT extends GatewayITBase {

  private static final Path CLIENT_DIR = NodeClients.DIR;
  private static final String ALICE = ApiKey.generate();
  private static final String BOB = ApiKey.generate();
  private static final String SWARM = ApiKey.generate();
  private static final String MALLORY = ApiKey.generate();
  private static final int MAX_SESSIONS_PER_KEY = 60;
  private static final long MAX_BODY = 64 * 1024;
  private static final int AGENTS = 50;
  private static final int SWARM_QUOTA = 20;

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getAuth()
      .addKey(new ApiKey("alice", ApiKey.hash(ALICE), List.of(), List.of(), 0, 0))
      .addKey(new ApiKey("bob", ApiKey.hash(BOB), List.of(), List.of(), 0, 0))
      // its quota of executions queued or running is below the agents: the others are refused with 429
      .addKey(new ApiKey("swarm", ApiKey.hash(SWARM), List.of("sh"), List.of(), SWARM_QUOTA, 0))
      .addKey(new ApiKey("mallory", ApiKey.hash(MALLORY), List.of(), List.of(), 0, 0));
    options.getMcp().setMaxSessionsPerKey(MAX_SESSIONS_PER_KEY).setMaxRequestBytes(MAX_BODY);
    return options;
  }

  @BeforeAll
  void requireRuntimeImagesAndTheClient() throws Exception {
    DockerSupport.requireImages(DefaultRuntimes.PYTHON_IMAGE);
    NodeClients.install("@modelcontextprotocol/sdk");
  }

  private JsonObject client(int timeoutSeconds, String scenario, String key, String... more) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", CLIENT_DIR.resolve("mcp-client-run.mjs").toString(),
      scenario, "http://127.0.0.1:" + gateway.actualPort(), key));
    command.addAll(List.of(more));
    NodeClients.Result node = NodeClients.run(timeoutSeconds, command.toArray(String[]::new));
    assertThat(node.exit()).as("node: %s", node.output()).isZero();
    String[] lines = node.output().strip().split("\n");
    return new JsonObject(lines[lines.length - 1]);
  }

  private static String text(JsonObject toolResult) {
    JsonArray content = toolResult.getJsonArray("content");
    assertThat(content.size()).isEqualTo(1);
    assertThat(content.getJsonObject(0).getString("type")).isEqualTo("text");
    return content.getJsonObject(0).getString("text");
  }

  @Test
  void theSdkClientInitializesListsAndRunsShAndPythonWithLiveOutput() throws Exception {
    JsonObject out = client(90, "basic", ALICE);
    assertThat(out.getString("sessionId")).matches("[A-Za-z0-9_-]{22}");
    assertThat(out.getString("protocolVersion")).isEqualTo("2025-11-25");
    assertThat(out.getJsonObject("server").getString("name")).isEqualTo("execgate");
    assertThat(out.getString("instructions")).contains("run_code");
    JsonArray tools = out.getJsonArray("tools");
    assertThat(tools.stream().map(t -> ((JsonObject) t).getString("name")).toList())
      .containsExactly("list_runtimes", "run_code");
    JsonObject runSchema = tools.getJsonObject(1).getJsonObject("inputSchema");
    assertThat(runSchema.getJsonArray("required").getList()).containsExactly("language", "code");
    assertThat(runSchema.getJsonObject("properties").fieldNames())
      .containsExactlyInAnyOrder("language", "code", "stdin", "args", "timeoutMs", "version");

    assertThat(text(out.getJsonObject("runtimes"))).contains("python 3.11.2 (aliases: python3, py, py3)", "sh ");

    JsonObject sh = out.getJsonObject("sh");
    assertThat(sh.getBoolean("isError")).isFalse();
    assertThat(text(sh)).startsWith("status: failed\nexit code: 3\n")
      .contains("--- stdout ---\nhi\n--- stderr ---\noops\n");
    assertThat(sh.getJsonObject("structuredContent").getInteger("exitCode")).isEqualTo(3);

    JsonObject python = out.getJsonObject("python");
    assertThat(python.getBoolean("isError")).isFalse();
    assertThat(text(python)).startsWith("status: succeeded\nexit code: 0\n")
      .contains("--- stdout ---\n45 ['a'] from stdin\n");

    // the API's error, code and message: an unknown language lists the available ones
    JsonObject unknown = out.getJsonObject("unknown");
    assertThat(unknown.getBoolean("isError")).isTrue();
    assertThat(text(unknown)).startsWith("unsupported_language (HTTP 400): unknown language 'cobol'; available: ")
      .contains("python 3.11.2");
    assertThat(unknown.getJsonObject("structuredContent").getJsonObject("error").getString("field"))
      .isEqualTo("language");
    JsonObject bad = out.getJsonObject("badArgument");
    assertThat(bad.getBoolean("isError")).isTrue();
    assertThat(text(bad)).startsWith("invalid_request (HTTP 400): unknown argument image");

    // live output came as progress while the program ran, before the result
    JsonObject live = out.getJsonObject("live");
    assertThat(text(live)).contains("--- stdout ---\nline1\nline2\nline3\n");
    JsonArray progress = out.getJsonArray("progress");
    assertThat(progress.stream().map(p -> ((JsonObject) p).getString("message")).reduce("", String::concat))
      .isEqualTo("line1\nline2\nline3\n");
    assertThat(progress.getJsonObject(0).getLong("at")).isLessThan(out.getLong("liveEndedAt") - 500);
  }

  @Test
  void cancellingACallCancelsItsExecutionAndRemovesItsContainer() throws Exception {
    JsonObject out = client(60, "cancel", ALICE);
    assertThat(out.getString("progress")).isEqualTo("started\n");
    assertThat(out.getString("error")).contains("the test cancels");
    assertThat(out.getValue("result")).isNull();
    assertThat(out.getLong("cancelledAfterMs")).isLessThan(20_000);
    assertThat(out.getBoolean("pingAfterCancel")).isTrue();
    // `sleep 60` would hold its container for a minute
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 10_000)).isEmpty();
  }

  @Test
  void fiftyAgentsAtOnceGetResultsOrRateShapedToolErrorsAndLeaveNoContainer() throws Exception {
    long started = System.nanoTime();
    JsonObject out = client(100, "swarm", SWARM, String.valueOf(AGENTS));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    Map<String, Integer> kinds = new TreeMap<>();
    List<String> unexpected = new ArrayList<>();
    for (Object o : out.getJsonArray("results")) {
      JsonObject r = (JsonObject) o;
      kinds.merge(r.getString("kind"), 1, Integer::sum);
      boolean fine = r.getString("kind").equals("ok") ? r.getBoolean("ok")
        : r.getString("kind").equals("toolError") && r.getString("code").equals("quota_exceeded")
          && r.getString("text").startsWith("quota_exceeded (HTTP 429): ");
      if (!fine) {
        unexpected.add(r.encode());
      }
    }
    assertThat(unexpected).as("%s", kinds).isEmpty();
    assertThat(kinds.get("ok")).as("%s", kinds).isGreaterThanOrEqualTo(SWARM_QUOTA);
    assertThat(kinds.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(AGENTS);
    System.getLogger(McpIT.class.getName()).log(System.Logger.Level.INFO,
      "50 MCP agents: {0} in {1} ms (client {2} ms)", kinds, elapsedMs, out.getLong("elapsedMs"));
    assertThat(DockerSupport.awaitNoExecutionContainers(docker, instanceId, 10_000)).isEmpty();
  }

  @Test
  void theStdioBridgeCarriesAStdioClientToTheGateway() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    JsonObject out = client(90, "stdio", BOB, java, Path.of("target", "execgate.jar").toAbsolutePath().toString());
    assertThat(out.getJsonObject("server").getString("name")).isEqualTo("execgate");
    assertThat(out.getJsonArray("tools").getList()).containsExactly("list_runtimes", "run_code");
    assertThat(text(out.getJsonObject("run"))).startsWith("status: failed\nexit code: 4\n")
      .contains("--- stdout ---\nvia stdio\n");
    // progress (live output) comes through the bridge's event stream
    assertThat(out.getJsonArray("progress").getList()).containsExactly("via stdio\n");
    assertThat(text(out.getJsonObject("unknown"))).startsWith("unsupported_language (HTTP 400)");
  }

  // ---- raw requests: the transport's edges ----

  private HttpRequest<Buffer> mcp(String key, String session) {
    HttpRequest<Buffer> request = client.post("/mcp")
      .putHeader("content-type", "application/json")
      .putHeader("accept", "application/json, text/event-stream");
    if (key != null) {
      request.bearerTokenAuthentication(key);
    }
    if (session != null) {
      request.putHeader("mcp-session-id", session);
    }
    return request;
  }

  private HttpResponse<Buffer> send(String key, String session, String body) {
    return await(mcp(key, session).sendBuffer(Buffer.buffer(body)));
  }

  private static String initialize(int id) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id).put("method", "initialize")
      .put("params", new JsonObject().put("protocolVersion", "2025-06-18").put("capabilities", new JsonObject())
        .put("clientInfo", new JsonObject().put("name", "raw").put("version", "0"))).encode();
  }

  private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

  private String openSession(String key) {
    HttpResponse<Buffer> init = send(key, null, initialize(1));
    assertThat(init.statusCode()).as(init.bodyAsString()).isEqualTo(200);
    assertThat(init.bodyAsJsonObject().getJsonObject("result").getString("protocolVersion")).isEqualTo("2025-06-18");
    return init.getHeader("mcp-session-id");
  }

  private static void assertRpcError(HttpResponse<Buffer> response, int status, int code, String messageStart) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("jsonrpc")).isEqualTo("2.0");
    assertThat(body.getJsonObject("error").getInteger("code")).isEqualTo(code);
    assertThat(body.getJsonObject("error").getString("message")).startsWith(messageStart);
  }

  @Test
  void withoutAKeyIs401AndAnotherKeysSessionIs404() {
    HttpResponse<Buffer> anonymous = send(null, null, initialize(1));
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.getHeader("www-authenticate")).startsWith("Bearer");
    assertThat(anonymous.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthorized");

    String session = openSession(ALICE);
    assertThat(send(ALICE, session, TOOLS_LIST).statusCode()).isEqualTo(200);
    // the id is bound to alice's key: bob is told it does not exist, and cannot end it either
    assertRpcError(send(BOB, session, TOOLS_LIST), 404, -32001, "Session not found");
    assertThat(await(client.delete("/mcp").bearerTokenAuthentication(BOB).putHeader("mcp-session-id", session)
      .send()).statusCode()).isEqualTo(404);
    assertThat(send(ALICE, session, TOOLS_LIST).statusCode()).isEqualTo(200);
    // a forged id, a missing one, an ended one
    assertRpcError(send(ALICE, "AAAAAAAAAAAAAAAAAAAAAA", TOOLS_LIST), 404, -32001, "Session not found");
    assertRpcError(send(ALICE, null, TOOLS_LIST), 400, -32000, "Bad Request: the Mcp-Session-Id header is required");
    assertThat(await(client.delete("/mcp").bearerTokenAuthentication(ALICE).putHeader("mcp-session-id", session)
      .send()).statusCode()).isEqualTo(204);
    assertRpcError(send(ALICE, session, TOOLS_LIST), 404, -32001, "Session not found");
  }

  @Test
  void malformedJsonRpcGetsTheRightErrors() {
    String session = openSession(ALICE);
    assertRpcError(send(ALICE, session, "{\"jsonrpc\":"), 400, -32700, "Parse error");
    assertRpcError(send(ALICE, session, "[" + TOOLS_LIST + "]"), 400, -32600, "Invalid Request: batches");
    assertRpcError(send(ALICE, session, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}"), 400, -32600,
      "Invalid Request");
    assertRpcError(send(ALICE, session, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}"), 400, -32600,
      "Invalid Request");
    assertRpcError(send(ALICE, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/list\"}"), 200, -32601,
      "Method not found");
    assertRpcError(send(ALICE, session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":"
      + "{\"name\":\"rm_rf\"}}"), 200, -32602, "Unknown tool: rm_rf");
    HttpResponse<Buffer> ping = send(ALICE, session, "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}");
    assertThat(ping.bodyAsJsonObject()).isEqualTo(new JsonObject("{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"result\":{}}"));
    // a notification is accepted without a body
    HttpResponse<Buffer> note = send(ALICE, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    assertThat(note.statusCode()).isEqualTo(202);
    assertThat(note.body()).isNull();
    // a protocol version it does not speak, a GET (no server stream), a type it cannot read
    assertRpcError(await(mcp(ALICE, session).putHeader("mcp-protocol-version", "1999-01-01")
      .sendBuffer(Buffer.buffer(TOOLS_LIST))), 400, -32000, "Bad Request: unsupported MCP-Protocol-Version");
    HttpResponse<Buffer> get = await(client.get("/mcp").bearerTokenAuthentication(ALICE)
      .putHeader("accept", "text/event-stream").putHeader("mcp-session-id", session).send());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.getHeader("allow")).isEqualTo("POST, DELETE");
    assertThat(await(client.post("/mcp").bearerTokenAuthentication(ALICE).putHeader("content-type", "text/plain")
      .putHeader("mcp-session-id", session).sendBuffer(Buffer.buffer(TOOLS_LIST))).statusCode()).isEqualTo(415);
    assertThat(await(mcp(ALICE, session).putHeader("accept", "text/html").sendBuffer(Buffer.buffer(TOOLS_LIST)))
      .statusCode()).isEqualTo(406);
  }

  @Test
  void aHugeOrDeepBodyIsRefusedAndTheGatewayStillServes() {
    String session = openSession(MALLORY);
    long started = System.nanoTime();
    String huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"run_code\","
      + "\"arguments\":{\"language\":\"sh\",\"code\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}}}";
    assertThat(send(MALLORY, session, huge).statusCode()).isEqualTo(413);
    String deep = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":" + "[".repeat(20_000)
      + "]".repeat(20_000) + "}}";
    assertThat(deep.length()).isLessThan((int) MAX_BODY);
    assertRpcError(send(MALLORY, session, deep), 400, -32700, "Parse error: beyond the JSON limits");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
    assertThat(send(MALLORY, session, TOOLS_LIST).statusCode()).isEqualTo(200);
    assertThat(await(client.delete("/mcp").bearerTokenAuthentication(MALLORY).putHeader("mcp-session-id", session)
      .send()).statusCode()).isEqualTo(204);
  }

  @Test
  void oneKeysSessionsAreCappedByPushingOutItsOwnOldestAndOtherKeysAreUnaffected() {
    String bobs = openSession(BOB);
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < MAX_SESSIONS_PER_KEY; i++) {
      first.add(openSession(MALLORY));
    }
    // past the cap, each new session ends the key's least recently used one (none has a call in flight)
    for (int i = 0; i < MAX_SESSIONS_PER_KEY; i++) {
      second.add(openSession(MALLORY));
    }
    for (String session : first) {
      assertRpcError(send(MALLORY, session, TOOLS_LIST), 404, -32001, "Session not found");
    }
    for (String session : second) {
      assertThat(send(MALLORY, session, TOOLS_LIST).statusCode()).isEqualTo(200);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(30_000);
    // another key's session is not pushed out
    assertThat(send(BOB, bobs, TOOLS_LIST).statusCode()).isEqualTo(200);
    for (String session : second) {
      assertThat(await(client.delete("/mcp").bearerTokenAuthentication(MALLORY).putHeader("mcp-session-id", session)
        .send()).statusCode()).isEqualTo(204);
    }
  }
}
