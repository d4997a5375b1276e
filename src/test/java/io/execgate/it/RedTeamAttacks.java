package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The attacks of the integrity, tenancy and availability issues, replayed against the runnable jar
 * ({@code -Xmx512m}, real engine) for {@code bin/redteam}: a gateway with two API keys (the
 * attacker's and the victim's), an admin key and a token secret, and an open one (no keys) for the
 * Host check. Each attack is bounded in count and time and ends in one line of a {@link
 * RedTeamReport}; the programs and raw clients are the integration tests' ({@link
 * ProgramIntegrityIT}, {@link DeflateBomb}, {@link SlowClient}, {@link RawHttp}).
 */
public final class RedTeamAttacks {

  /** The defaults of http.headerTimeoutMs, http.idleTimeoutMs, auth.maxTokensPerKey, a key's maxStreams. */
  private static final long HEADER_TIMEOUT_MS = 10_000;
  private static final long IDLE_TIMEOUT_MS = 30_000;
  private static final int MAX_TOKENS = 50;
  private static final int KEY_STREAMS = 32;
  /** The defaults of a key's maxConcurrent and its share of a node's 16 slots. */
  private static final int KEY_QUOTA = 32;
  private static final int KEY_SLOTS = 12;
  private static final long ATTACK_MS = 90_000;
  /** The bounds: /health within 500 ms throughout, an unrelated echo within 2 s. */
  private static final long HEALTH_MS = 500;
  private static final long ECHO_MS = 2_000;

  private final RedTeamReport report;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "red-team");
    t.setDaemon(true);
    return t;
  });
  /** Tokens the attacker minted before its flood. */
  private final AtomicInteger attackerTokens = new AtomicInteger();
  private AttackedGateway gw;
  private AttackedGateway open;

  /**
   * @param report where each attack's line goes
   */
  public RedTeamAttacks(RedTeamReport report) {
    this.report = report;
  }

  /**
   * Starts the gateways, runs every attack, checks what the run left behind and stops the gateways.
   */
  public void run() throws Exception {
    Future<AttackedGateway> keyed = threads.submit(() -> new AttackedGateway(Map.of("EXECGATE_TOKEN_SECRET",
      AttackedGateway.randomKey())));
    Future<AttackedGateway> opened = threads.submit(() -> AttackedGateway.open(new JsonObject()));
    Future<String> weakKey = threads.submit(RedTeamAttacks::weakKeyRefused);
    try {
      if (!report.attack("gateways-start", 150_000, () -> {
        gw = keyed.get();
        open = opened.get();
        return "keyed (attacker, victim, ops=admin, token secret) " + gw.instanceId + " on :" + gw.port
          + ", open " + open.instanceId + " on :" + open.port;
      })) {
        return;
      }
      try (AttackedGateway.HealthProbe probe = gw.probe()) {
        attackAll(probe, weakKey);
      }
      report.attack("no-out-of-memory", ATTACK_MS, () -> {
        gw.assertNoOutOfMemoryError();
        open.assertNoOutOfMemoryError();
        return "no OutOfMemoryError in either gateway's log";
      });
    } finally {
      stop(keyed);
      stop(opened);
      threads.shutdownNow();
    }
  }

  private void attackAll(AttackedGateway.HealthProbe probe, Future<String> weakKey) throws Exception {
    SlowConnections slow = new SlowConnections();

    // results a program cannot forge: at once, each in its own sandbox
    List<Future<Boolean>> programs = List.of(
      threads.submit(() -> report.attack("forged-exit-python", ATTACK_MS, () -> probed(this::forgedExitPython))),
      threads.submit(() -> report.attack("forged-exit-busybox-dd", ATTACK_MS, () -> probed(this::forgedExitDd))),
      threads.submit(() -> report.attack("forged-compile-output-cap", ATTACK_MS, () -> probed(this::forgedCompileCap))),
      threads.submit(() -> report.attack("forged-compile-deadline", ATTACK_MS, () -> probed(this::forgedCompileDeadline))),
      threads.submit(() -> report.attack("kill-launcher", ATTACK_MS, () -> probed(this::killLauncher))));
    for (Future<Boolean> f : programs) {
      f.get();
    }

    // executions only their owner can touch: the attacker names the victim's running execution
    String id = submit(gw.victimKey, "echo started; sleep 20; echo secret-of-victim", 30_000);
    report.attack("other-key-get", ATTACK_MS, () -> probed(() -> otherKeyGet(id)));
    report.attack("other-key-cancel", ATTACK_MS, () -> probed(() -> otherKeyCancel(id)));
    report.attack("other-key-stream-sse", ATTACK_MS, () -> probed(() -> otherKeySse(id)));
    report.attack("other-key-stream-ws", ATTACK_MS, () -> probed(() -> otherKeyWebSocket(id)));
    report.attack("other-key-signal", ATTACK_MS, () -> probed(() -> otherKeySignal(id)));
    report.attack("other-key-token", ATTACK_MS, () -> probed(() -> otherKeyToken(id)));
    report.attack("admin-sees-every-key", ATTACK_MS, () -> probed(() -> adminCancels(id)));
    report.attack("admin-only-routes", ATTACK_MS, () -> probed(this::adminOnlyRoutes));
    report.attack("token-on-api-routes", ATTACK_MS, () -> probed(this::tokenOnApiRoutes));
    report.attack("token-mints-token", ATTACK_MS, () -> probed(this::tokenMintsToken));
    report.attack("api-key-in-url", ATTACK_MS, () -> probed(this::apiKeyInUrl));
    report.attack("token-scoped-to-execution", ATTACK_MS, () -> probed(this::tokenScopedToExecution));
    report.attack("token-flood", ATTACK_MS, () -> probed(this::tokenFlood));
    report.attack("weak-key", ATTACK_MS, () -> unwrap(weakKey));
    report.attack("failed-auth-throttle", ATTACK_MS, () -> probed(this::failedAuthThrottle));
    report.attack("host-rebinding", ATTACK_MS, () -> probed(this::hostRebinding));
    report.skip("cluster-forgery", "not replayed here (it needs a cluster and a rogue member): ClusterIT "
      + "aForgedJobFromAMemberThatIsNotAGatewayIsCheckedAgainByTheWorker, aMemberWithoutAValidCertificateCanNeither"
      + "DeliverNorHearAMessage, aJavaSerializedObjectPlantedInAMapIsNotDeserialized; ClusterTenancyIT "
      + "aMemberThatIsNotAGatewayCannotForgeAToken");

    // availability under hostile clients
    report.attack("ws-deflate-bomb", ATTACK_MS, () -> probed(this::deflateBomb));
    report.attack("huge-body-piston", ATTACK_MS, () -> probed(this::hugeBodyPiston));
    report.attack("stream-flood", ATTACK_MS, () -> probed(this::streamFlood));
    report.attack("slot-hog", ATTACK_MS, () -> probed(this::slotHog));
    // last: where it breaks, the engine calls it queued slow down what comes after
    report.attack("signal-flood", ATTACK_MS, () -> probed(this::signalFlood));
    report.attack("slow-headers", ATTACK_MS, slow::headers);
    report.attack("stalled-body", ATTACK_MS, slow::bodies);

    report.attack("health-under-attack", ATTACK_MS, () -> {
      probe.assertAllWithin(HEALTH_MS);
      return probe.count() + " probes of /health, every 200 ms on fresh connections, slowest " + probe.maxMs()
        + " ms (bound " + HEALTH_MS + ")";
    });
    report.attack("no-execution-lost", ATTACK_MS, () -> {
      gw.assertAllRecordsFinal(60_000);
      return "every execution of the run has a final record";
    });
  }

  /**
   * Runs an attack under a /health probe of its own, and says how slow /health got meanwhile (the
   * bound is checked over the whole run, by health-under-attack).
   */
  private String probed(Callable<String> attack) throws Exception {
    try (AttackedGateway.HealthProbe probe = gw.probe()) {
      try {
        String evidence = attack.call();
        return evidence + "; /health slowest " + probe.maxMs() + " ms of " + probe.count();
      } catch (AssertionError e) {
        throw new AssertionError(RedTeamReport.describe(e) + "; /health slowest " + probe.maxMs() + " ms of "
          + probe.count(), e);
      }
    }
  }

  // ---- results a program cannot forge ----

  private JsonObject program(String language, String script, JsonObject limits) throws Exception {
    return run(gw.attackerKey, new JsonObject().put("language", language).put("script", script)
      .put("limits", limits.copy().put("timeoutMs", limits.getLong("timeoutMs", 30_000L))));
  }

  private String forgedExitPython() throws Exception {
    JsonObject r = program("python", ProgramIntegrityIT.PY_STEAL + """
      forge("exit:0:::0")
      print("still running", flush=True)
      sys.exit(7)
      """, new JsonObject());
    return exitUnchanged(r);
  }

  private String forgedExitDd() throws Exception {
    JsonObject r = program("sh", ProgramIntegrityIT.SH_STEAL + """
      forge "exit:0:::0"
      echo still running
      exit 7
      """, new JsonObject());
    return exitUnchanged(r);
  }

  private static String exitUnchanged(JsonObject r) {
    check("failed".equals(r.getString("status")) && Integer.valueOf(7).equals(r.getInteger("exitCode")),
      "a forged exit:0 record changed the verdict: " + brief(r));
    return "status failed, exitCode 7 (the program's own); it saw: " + firstLine(r.getString("stderr")) + ", "
      + firstLine(r.getString("stdout"));
  }

  private String forgedCompileCap() throws Exception {
    JsonObject r = program("python", ProgramIntegrityIT.PY_STEAL + """
      for i in range(30):
          forge("compile:0::")
          print("x" * 999, flush=True)
      """, new JsonObject().put("outputBytes", 4096));
    int kept = r.getString("stdout", "").getBytes(StandardCharsets.UTF_8).length;
    check("output_limit".equals(r.getString("status")) && kept <= 4096 && r.getBoolean("stdoutTruncated", false)
      && !r.containsKey("compile"), "30 forged compile records restarted the cap: " + kept + " bytes kept, " + brief(r));
    return "30 forged compile records, 30 KB written: status output_limit, " + kept + " of 4096 bytes kept, "
      + "truncated, no compile stage";
  }

  private String forgedCompileDeadline() throws Exception {
    JsonObject r = program("python", ProgramIntegrityIT.PY_STEAL + """
      time.sleep(3.5)
      forge("compile:0::")
      for i in range(6):
          print(i, flush=True)
          time.sleep(0.5)
      """, new JsonObject().put("timeoutMs", 4000));
    long ms = r.getLong("durationMs", -1L);
    check("timeout".equals(r.getString("status")) && ms >= 4000 && ms <= 5500,
      "a forged compile record at 3.5 s moved the 4 s deadline: " + brief(r));
    return "forged compile record at 3.5 s: status timeout after " + ms + " ms (timeoutMs 4000)";
  }

  private String killLauncher() throws Exception {
    JsonObject r = run(gw.attackerKey, new JsonObject().put("script", "echo before; kill -9 $PPID; sleep 5; echo after"));
    check("failed".equals(r.getString("status")) && "SIGKILL".equals(r.getString("signal"))
      && Integer.valueOf(137).equals(r.getInteger("exitCode")), "kill -9 $PPID: " + brief(r));
    return "kill -9 $PPID: status failed (not error), exitCode 137, SIGKILL, after " + r.getLong("durationMs") + " ms";
  }

  // ---- executions only their owner can touch ----

  private String otherKeyGet(String id) throws Exception {
    String unknown = UUID.randomUUID().toString();
    HttpResponse<String> none = send("GET", "/v1/executions/" + unknown, gw.attackerKey);
    HttpResponse<String> read = send("GET", "/v1/executions/" + id, gw.attackerKey);
    check(read.statusCode() == 404, "GET of another key's execution: " + read.statusCode() + " " + cut(read.body()));
    check(read.body().replace(id, "ID").equals(none.body().replace(unknown, "ID")),
      "the answer tells it from an unknown id's: " + read.body() + " vs " + none.body());
    return "GET 404 " + code(read) + ", word for word an unknown id's answer";
  }

  private String otherKeyCancel(String id) throws Exception {
    HttpResponse<String> cancel = send("DELETE", "/v1/executions/" + id, gw.attackerKey);
    check(cancel.statusCode() == 404, "DELETE of another key's execution: " + cancel.statusCode() + " " + cut(cancel.body()));
    String status = status(id, gw.victimKey);
    check(List.of("queued", "pulling", "starting", "running").contains(status), "the victim's execution is now " + status);
    return "DELETE 404; the victim's execution still " + status;
  }

  private String otherKeySse(String id) throws Exception {
    HttpResponse<InputStream> events = http.send(request("/v1/executions/" + id + "/events", gw.attackerKey).build(),
      HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = events.body()) {
      String text = events.statusCode() == 200 ? "(a stream)" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
      check(events.statusCode() == 404 && !text.contains("started"), "SSE of another key's execution: "
        + events.statusCode() + " " + cut(text));
      return "GET /events 404, no frame";
    }
  }

  private String otherKeyWebSocket(String id) {
    int status = RawHttp.webSocketStatus(http, ws("/v1/executions/" + id + "/stream"), gw.attackerKey);
    check(status == 404, "WebSocket /stream of another key's execution: " + status);
    return "WebSocket /stream upgrade 404";
  }

  private String otherKeySignal(String id) throws Exception {
    // signals go only over the interactive socket of the execution it started itself; a watcher's
    // /stream socket (404 above for another key) takes no control message
    try (Session ws = Session.open(this, "/v1/ws", gw.attackerKey)) {
      ws.send(new JsonObject().put("type", "signal").put("signal", "SIGKILL"));
      JsonObject answer = ws.await(f -> "error".equals(f.getString("type")), 10_000);
      check(answer != null, "no answer to a signal on a socket without its own execution: " + ws.received);
      String status = status(id, gw.victimKey);
      check(List.of("queued", "pulling", "starting", "running").contains(status), "the victim's execution is now " + status);
      return "no route takes another key's id with a signal: /v1/ws without its own run answers "
        + "'" + answer.getString("message") + "'" + "; the victim's "
        + "execution still " + status;
    }
  }

  private String otherKeyToken(String id) throws Exception {
    HttpResponse<String> scoped = mint(gw.attackerKey, new JsonObject().put("execution", id));
    check(scoped.statusCode() == 404, "a token for another key's execution: " + scoped.statusCode() + " " + cut(scoped.body()));
    String token = token(gw.attackerKey, null);
    HttpResponse<String> events = send("GET", "/v1/executions/" + id + "/events?token=" + token, null);
    check(events.statusCode() == 404, "the attacker's token on the victim's /events: " + events.statusCode());
    return "POST /v1/tokens {execution} 404; the attacker's own token on the victim's /events 404";
  }

  private String adminCancels(String id) throws Exception {
    HttpResponse<String> read = send("GET", "/v1/executions/" + id, gw.adminKey);
    check(read.statusCode() == 200 && "victim".equals(new JsonObject(read.body()).getString("owner")),
      "the admin's GET: " + read.statusCode() + " " + cut(read.body()));
    HttpResponse<String> cancel = send("DELETE", "/v1/executions/" + id, gw.adminKey);
    check(cancel.statusCode() == 200, "the admin's DELETE: " + cancel.statusCode() + " " + cut(cancel.body()));
    String status = awaitFinal(id, gw.victimKey);
    check("cancelled".equals(status), "after the admin's cancel: " + status);
    return "the admin key reads it (owner victim) and cancels it: " + status;
  }

  private String adminOnlyRoutes() throws Exception {
    List<String> seen = new ArrayList<>();
    for (String path : List.of("/metrics", "/v1/stats")) {
      int attacker = send("GET", path, gw.attackerKey).statusCode();
      int ops = send("GET", path, gw.adminKey).statusCode();
      check(attacker == 403 && ops == 200, path + ": " + attacker + " for a key, " + ops + " for the admin");
      seen.add(path + " 403/200");
    }
    int health = send("GET", "/health", null).statusCode();
    int ready = send("GET", "/ready", gw.attackerKey).statusCode();
    check(health == 200 && ready == 200, "probes: /health " + health + ", /ready " + ready);
    return String.join(", ", seen) + " (key/admin); /health without a key and /ready 200";
  }

  private String tokenOnApiRoutes() throws Exception {
    String token = token(gw.attackerKey, null);
    int bearer = send("GET", "/v1/runtimes", token).statusCode();
    int query = send("GET", "/v1/runtimes?token=" + token, null).statusCode();
    int submit = http.send(request("/v1/executions", token).header("content-type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"script\":\"echo token\"}")).build(),
      HttpResponse.BodyHandlers.ofString()).statusCode();
    check(bearer == 403 && query == 403 && submit == 403, "a token on /v1/runtimes: " + bearer + " (bearer), " + query
      + " (?token=); on POST /v1/executions: " + submit);
    return "egt_ token on /v1/runtimes 403 (bearer and ?token=), on POST /v1/executions 403";
  }

  private String tokenMintsToken() throws Exception {
    String token = token(gw.attackerKey, null);
    HttpResponse<String> minted = mint(token, null);
    check(minted.statusCode() == 403, "POST /v1/tokens with a token: " + minted.statusCode() + " " + cut(minted.body()));
    return "POST /v1/tokens with a token 403";
  }

  private String apiKeyInUrl() throws Exception {
    HttpResponse<String> runtimes = send("GET", "/v1/runtimes?token=" + gw.attackerKey, null);
    int socket = RawHttp.webSocketStatus(http, ws("/v1/ws?token=" + gw.attackerKey), null);
    check(runtimes.statusCode() == 401 && !runtimes.body().contains(gw.attackerKey) && socket == 401,
      "an API key as ?token=: " + runtimes.statusCode() + " " + cut(runtimes.body()) + "; /v1/ws " + socket);
    return "an API key as ?token= 401 on /v1/runtimes and /v1/ws, not echoed";
  }

  private String tokenScopedToExecution() throws Exception {
    String first = submit(gw.attackerKey, "echo first", 10_000);
    String second = submit(gw.attackerKey, "echo second", 10_000);
    String token = token(gw.attackerKey, first);
    awaitFinal(first, gw.attackerKey);
    awaitFinal(second, gw.attackerKey);
    HttpResponse<String> own = send("GET", "/v1/executions/" + first + "/events?token=" + token, null);
    int other = send("GET", "/v1/executions/" + second + "/events?token=" + token, null).statusCode();
    int otherWs = RawHttp.webSocketStatus(http, ws("/v1/executions/" + second + "/stream?token=" + token), null);
    int start = RawHttp.webSocketStatus(http, ws("/v1/ws?token=" + token), null);
    check(own.statusCode() == 200 && own.body().contains("first") && other == 404 && otherWs == 404 && start == 403,
      "a token scoped to one execution: its own /events " + own.statusCode() + ", another's /events " + other
        + ", /stream " + otherWs + ", /v1/ws " + start);
    return "a token for one execution: its /events 200, another's /events and /stream 404, /v1/ws 403";
  }

  private String tokenFlood() throws Exception {
    // 60 more than those the attacker holds, asked at once
    int held = attackerTokens.get();
    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      burst.add(http.sendAsync(request("/v1/tokens", gw.attackerKey).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString()));
    }
    int created = 0;
    int refused = 0;
    String retryAfter = null;
    for (CompletableFuture<HttpResponse<String>> f : burst) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      if (r.statusCode() == 201) {
        created++;
      } else if (r.statusCode() == 429 && "quota_exceeded".equals(code(r))) {
        refused++;
        retryAfter = r.headers().firstValue("retry-after").orElse(retryAfter);
      }
    }
    check(created == MAX_TOKENS - held && refused == 60 - created && retryAfter != null,
      "60 tokens minted at once with " + held + " held: " + created + " created, " + refused + " refused (Retry-After "
        + retryAfter + ")");
    return "60 at once: " + created + " created (cap " + MAX_TOKENS + " with " + held + " held), " + refused
      + " 429 quota_exceeded, Retry-After " + retryAfter;
  }

  /**
   * Starts the jar with a weak raw key.
   *
   * @return its refusal
   */
  private static String weakKeyRefused() throws Exception {
    String instance = "rt-weak-" + UUID.randomUUID().toString().substring(0, 8);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-jar",
      "target/execgate.jar").redirectErrorStream(true);
    pb.environment().remove("EXECGATE_CONFIG");
    pb.environment().putAll(Map.of("EXECGATE_API_KEYS", "weak=hunter2hunter2", "EXECGATE_HTTP_PORT",
      String.valueOf(port), "EXECGATE_INSTANCE_ID", instance));
    Process p = pb.start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("a gateway with the key 'hunter2hunter2' still runs after 60 s");
    }
    String line = output.get(10, TimeUnit.SECONDS).lines().filter(l -> l.contains("too weak")).findFirst().orElse("");
    check(p.exitValue() == 2 && line.contains("'weak'"), "a 14-character key: exit " + p.exitValue() + ", " + line);
    try (DockerClient docker = DockerSupport.client()) {
      check(DockerSupport.containers(docker, instance).isEmpty(), "the refused gateway left containers");
    }
    return "exit 2 at startup: " + cut(line.substring(Math.max(0, line.indexOf("key '"))));
  }

  private String failedAuthThrottle() throws Exception {
    String attacker = "127.0.0.2";
    long t0 = System.nanoTime();
    int unauthorized = 0;
    int throttled = 0;
    String last = "";
    for (int i = 0; i < 150; i++) {
      last = RawHttp.get(gw.port, attacker, "/v1/runtimes", AttackedGateway.randomKey());
      int status = RawHttp.status(last);
      unauthorized += status == 401 ? 1 : 0;
      throttled += status == 429 ? 1 : 0;
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    int ownKey = RawHttp.status(RawHttp.get(gw.port, attacker, "/v1/runtimes", gw.attackerKey));
    int elsewhere = RawHttp.status(RawHttp.get(gw.port, "127.0.0.1", "/v1/runtimes", gw.victimKey));
    check(unauthorized <= 31 + ms / 2000 && unauthorized + throttled == 150 && last.toLowerCase().contains("retry-after")
      && ownKey == 429 && elsewhere == 200, "150 wrong keys in " + ms + " ms from " + attacker + ": " + unauthorized
      + " 401, " + throttled + " 429; its valid key then " + ownKey + "; another address " + elsewhere);
    return "150 wrong keys from " + attacker + " in " + ms + " ms: " + unauthorized + " 401 then " + throttled
      + " 429 with Retry-After; its own valid key 429 meanwhile; 127.0.0.1's key 200";
  }

  private String hostRebinding() throws Exception {
    int port = open.port;
    String rebind = "rebind.evil.example:" + port;
    List<String> answers = new ArrayList<>();
    for (String request : List.of("GET /v1/runtimes", "GET /", "GET /v1/stats")) {
      answers.add(request + " " + RawHttp.status(RawHttp.send(port, "127.0.0.1", request + " HTTP/1.1\r\nHost: " + rebind
        + "\r\n")));
    }
    String body = "{\"script\":\"echo pwned\"}";
    answers.add("POST /v1/executions " + RawHttp.status(RawHttp.send(port, "127.0.0.1", "POST /v1/executions HTTP/1.1\r\n"
      + "Host: " + rebind + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n", body)));
    answers.add("WebSocket /v1/ws " + RawHttp.status(RawHttp.send(port, "127.0.0.1", "GET /v1/ws HTTP/1.1\r\nHost: "
      + rebind + "\r\nOrigin: http://" + rebind + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")));
    int loopback = RawHttp.status(RawHttp.send(port, "127.0.0.1", "GET /v1/runtimes HTTP/1.1\r\nHost: localhost:" + port
      + "\r\n"));
    check(answers.stream().allMatch(a -> a.endsWith(" 421")) && loopback == 200,
      "open gateway, Host " + rebind + ": " + answers + "; Host localhost: " + loopback);
    return "open gateway, Host " + rebind + ": GET, POST, WebSocket 421 (5 of 5); Host localhost 200";
  }

  // ---- availability under hostile clients ----

  private String deflateBomb() throws Exception {
    DeflateBomb.Outcome bomb = DeflateBomb.send(gw.port, gw.attackerKey);
    check(bomb.handshake().startsWith("HTTP/1.1 101")
      && !bomb.handshake().toLowerCase().contains("sec-websocket-extensions")
      && (bomb.closeCode() == 1002 || bomb.closeCode() == -1) && bomb.ms() < 10_000,
      "deflate bomb: " + bomb.handshake().lines().findFirst().orElse("") + ", close " + bomb.closeCode() + " after "
        + bomb.ms() + " ms");
    long echo = gw.victimEchoWithin(ECHO_MS);
    return bomb.bombBytes() + " bytes inflating to 1 GiB: compression never agreed, socket closed (" + bomb.closeCode()
      + ") after " + bomb.ms() + " ms; the victim's echo " + echo + " ms";
  }

  private String hugeBodyPiston() throws Exception {
    byte[] body = ("{\"language\":\"sh\",\"version\":\"*\",\"files\":[{\"content\":\"echo hi\"}],\"pad\":["
      + "0,".repeat(7 << 20) + "0]}").getBytes(StandardCharsets.UTF_8);
    List<CompletableFuture<HttpResponse<String>>> two = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      two.add(http.sendAsync(request("/api/v2/execute", gw.attackerKey).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString()));
    }
    long echo = gw.victimEchoWithin(ECHO_MS);
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : two) {
      statuses.add(f.get(60, TimeUnit.SECONDS).statusCode());
    }
    check(statuses.stream().allMatch(s -> s == 400 || s == 413), "two 14 MiB bodies: " + statuses);
    check(!gw.log().contains("has been blocked"), "an event loop was blocked (the gateway's log)");
    return "two " + (body.length >> 20) + " MiB bodies at once: " + statuses + ", no event loop blocked; the victim's echo "
      + echo + " ms meanwhile";
  }

  private String streamFlood() throws Exception {
    String run = submit(gw.attackerKey, "echo start; sleep 30", 35_000);
    String victimRun = submit(gw.victimKey, "echo start; sleep 10", 15_000);
    List<InputStream> streams = new ArrayList<>();
    try {
      // the sockets of the attacks before are closed: wait until the gateway has counted them out
      long deadline = System.currentTimeMillis() + 10_000;
      while (streamsOpen() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      for (int i = 0; i < KEY_STREAMS; i++) {
        HttpResponse<InputStream> r = events(gw.attackerKey, run);
        streams.add(r.body());
        check(r.statusCode() == 200, "stream " + (i + 1) + " of the attacker's " + KEY_STREAMS + ": " + r.statusCode());
      }
      HttpResponse<InputStream> more = events(gw.attackerKey, run);
      streams.add(more.body());
      String refusal = more.statusCode() == 200 ? "" : new String(more.body().readAllBytes(), StandardCharsets.UTF_8);
      check(more.statusCode() == 429 && refusal.contains("too_many_streams")
        && more.headers().firstValue("retry-after").isPresent(), "stream " + (KEY_STREAMS + 1) + ": " + more.statusCode()
        + " " + cut(refusal));
      HttpResponse<InputStream> victims = events(gw.victimKey, victimRun);
      streams.add(victims.body());
      check(victims.statusCode() == 200, "the victim's stream while the attacker holds " + KEY_STREAMS + ": "
        + victims.statusCode());
      long echo = gw.victimEchoWithin(ECHO_MS);
      return KEY_STREAMS + " SSE streams held, the next 429 too_many_streams with Retry-After; the victim's stream 200, "
        + "its echo " + echo + " ms";
    } finally {
      for (InputStream s : streams) {
        s.close();
      }
      send("DELETE", "/v1/executions/" + run, gw.attackerKey);
      send("DELETE", "/v1/executions/" + victimRun, gw.victimKey);
    }
  }

  private String slotHog() throws Exception {
    List<String> admitted = new CopyOnWriteArrayList<>();
    Map<String, Integer> refused = new ConcurrentHashMap<>();
    AtomicInteger submits = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < 6; w++) {
      workers.add(threads.submit(() -> {
        while (submits.incrementAndGet() <= 45) {
          HttpResponse<String> r = gw.post("/v1/executions", gw.attackerKey, new JsonObject().put("script", "sleep 10")
            .put("limits", new JsonObject().put("timeoutMs", 20_000)).encode());
          if (r.statusCode() == 202) {
            String id = new JsonObject(r.body()).getString("id");
            admitted.add(id);
            gw.track(id);
          } else {
            refused.merge(code(r), 1, Integer::sum);
          }
        }
        return null;
      }));
    }
    try {
      for (Future<?> w : workers) {
        w.get(60, TimeUnit.SECONDS);
      }
      // the victim's echo while the engine creates the flooder's containers...
      long burstEcho = echoMs();
      // ...and once the flooder holds its share (slots given, containers created), as FairnessAttackIT
      long deadline = System.currentTimeMillis() + 15_000;
      JsonObject stats = stats();
      while (stats.getInteger("running", 0) < KEY_SLOTS && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        stats = stats();
      }
      Thread.sleep(2_000);
      stats = stats();
      long heldEcho = echoMs();
      int running = stats.getInteger("running", -1);
      String seen = "45 submits of sleep 10: " + admitted.size() + " admitted, refused " + refused + ", running "
        + running + " of 16 slots; the victim's echo " + burstEcho + " ms while the flooder's containers were "
        + "created, " + heldEcho + " ms once it held its share";
      check(admitted.size() <= KEY_QUOTA && refused.getOrDefault("quota_exceeded", 0) >= 45 - KEY_QUOTA
        && running <= KEY_SLOTS && burstEcho < ECHO_MS && heldEcho < ECHO_MS, seen + " (bound " + ECHO_MS + " ms)");
      return seen;
    } finally {
      for (String id : admitted) {
        send("DELETE", "/v1/executions/" + id, gw.attackerKey);
      }
    }
  }

  /**
   * Runs the victim's {@code echo hi}.
   *
   * @return how long it took, in ms (whatever it took: the caller judges)
   */
  private long echoMs() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = gw.post("/v1/executions?wait=true", gw.victimKey, "{\"script\":\"echo hi\"}");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    check(r.statusCode() == 200, "the victim's echo: " + r.statusCode() + " " + cut(r.body()));
    JsonObject result = new JsonObject(r.body());
    gw.track(result.getString("id"));
    check("hi\n".equals(result.getString("stdout")), "the victim's echo: " + brief(result));
    return ms;
  }

  private String signalFlood() throws Exception {
    // as reported: 1,500 signals on one socket, then the victim's echo, three times in a row
    int signals = 1_500;
    try (Session ws = Session.open(this, "/v1/ws", gw.attackerKey)) {
      ws.send(new JsonObject().put("type", "run").put("script", "trap '' USR1; echo ready; sleep 30")
        .put("limits", new JsonObject().put("timeoutMs", 40_000)));
      JsonObject ready = ws.await(f -> "stdout".equals(f.getString("type")) && f.getString("data", "").contains("ready"),
        30_000);
      check(ready != null, "the signalled program did not start: " + ws.received);
      ws.received.stream().filter(f -> "accepted".equals(f.getString("type"))).findFirst()
        .ifPresent(f -> gw.track(f.getString("id")));
      long t0 = System.nanoTime();
      int sent = 0;
      for (; sent < signals && !ws.closed.isDone(); sent++) {
        try {
          ws.send(new JsonObject().put("type", "signal").put("signal", "SIGUSR1"));
        } catch (RuntimeException closed) {
          break;
        }
      }
      long sendMs = (System.nanoTime() - t0) / 1_000_000;
      String attack = sent + " SIGUSR1 messages in " + sendMs + " ms on one socket"
        + (ws.closed.isDone() ? ", then the gateway closed it (" + ws.closed.getNow(null) + ")" : "");
      List<Long> echoes = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          echoes.add(echoMs());
        }
      } catch (AssertionError e) {
        throw new AssertionError(attack + "; then " + RedTeamReport.describe(e), e);
      }
      check(echoes.stream().allMatch(ms -> ms < ECHO_MS), attack + "; the victim's echoes took " + echoes
        + " ms (bound " + ECHO_MS + ")");
      return attack + "; the victim's echoes " + echoes + " ms";
    }
  }

  /**
   * Half-sent heads, slowlorises and stalled bodies, opened at the start of the run and cut by the
   * gateway's deadlines while the other attacks go on.
   */
  private final class SlowConnections {

    private final List<Future<Long>> heads = new ArrayList<>();
    private final List<Future<Long>> bodies = new ArrayList<>();

    SlowConnections() {
      String bodyHead = "POST /v1/executions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.attackerKey
        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"script\":";
      for (int i = 0; i < 5; i++) {
        heads.add(hold(new byte[0], 0));
        heads.add(hold(("GET /v1/runtimes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.attackerKey + "\r\n")
          .getBytes(StandardCharsets.US_ASCII), 0));
        heads.add(hold("POST /v1/executions HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII), 1_000));
        bodies.add(hold(bodyHead.getBytes(StandardCharsets.US_ASCII), 0));
        bodies.add(hold(bodyHead.getBytes(StandardCharsets.US_ASCII), 1_000));
      }
    }

    private Future<Long> hold(byte[] head, long dripMs) {
      return threads.submit(() -> SlowClient.hold(gw.port, head, dripMs));
    }

    String headers() throws Exception {
      List<Long> ms = cutAfter(heads);
      check(ms.stream().allMatch(t -> t >= HEADER_TIMEOUT_MS - 500 && t <= HEADER_TIMEOUT_MS + 2_000),
        "silent, half-sent and slowloris connections closed after (ms) " + ms);
      return ms.size() + " silent, half-sent and slowloris (a byte a second) connections closed after "
        + ms.stream().mapToLong(Long::longValue).min().orElse(-1) + " to " + ms.stream().mapToLong(Long::longValue).max()
        .orElse(-1) + " ms (header deadline " + HEADER_TIMEOUT_MS + ")";
    }

    String bodies() throws Exception {
      List<Long> ms = cutAfter(bodies);
      check(ms.stream().allMatch(t -> t >= IDLE_TIMEOUT_MS - 500 && t <= IDLE_TIMEOUT_MS + 2_000),
        "stalled and dripping bodies closed after (ms) " + ms);
      return ms.size() + " stalled and dripping bodies closed after " + ms.stream().mapToLong(Long::longValue).min()
        .orElse(-1) + " to " + ms.stream().mapToLong(Long::longValue).max().orElse(-1) + " ms (idle timeout "
        + IDLE_TIMEOUT_MS + ")";
    }

    private List<Long> cutAfter(List<Future<Long>> connections) throws Exception {
      List<Long> ms = new ArrayList<>();
      for (Future<Long> f : connections) {
        ms.add(f.get(60, TimeUnit.SECONDS));
      }
      return ms;
    }
  }

  // ---- the client ----

  private URI ws(String path) {
    return URI.create("ws://127.0.0.1:" + gw.port + path);
  }

  private HttpRequest.Builder request(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(30));
    return key == null ? b : b.header("authorization", "Bearer " + key);
  }

  private HttpResponse<String> send(String method, String path, String key) throws Exception {
    return http.send(request(path, key).method(method, HttpRequest.BodyPublishers.noBody()).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<InputStream> events(String key, String id) throws Exception {
    return http.send(request("/v1/executions/" + id + "/events", key).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private JsonObject run(String key, JsonObject body) throws Exception {
    HttpResponse<String> r = gw.post("/v1/executions?wait=true", key, body.encode());
    check(r.statusCode() == 200, "POST /v1/executions?wait=true: " + r.statusCode() + " " + cut(r.body()));
    JsonObject result = new JsonObject(r.body());
    gw.track(result.getString("id"));
    return result;
  }

  private String submit(String key, String script, long timeoutMs) throws Exception {
    HttpResponse<String> r = gw.post("/v1/executions", key, new JsonObject().put("script", script)
      .put("limits", new JsonObject().put("timeoutMs", timeoutMs)).encode());
    check(r.statusCode() == 202, "POST /v1/executions: " + r.statusCode() + " " + cut(r.body()));
    String id = new JsonObject(r.body()).getString("id");
    gw.track(id);
    return id;
  }

  private HttpResponse<String> mint(String key, JsonObject body) throws Exception {
    HttpRequest.Builder b = request("/v1/tokens", key);
    b = body == null ? b.POST(HttpRequest.BodyPublishers.noBody())
      : b.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String token(String key, String execution) throws Exception {
    HttpResponse<String> r = mint(key, execution == null ? null : new JsonObject().put("execution", execution));
    check(r.statusCode() == 201, "POST /v1/tokens: " + r.statusCode() + " " + cut(r.body()));
    if (key.equals(gw.attackerKey)) {
      attackerTokens.incrementAndGet();
    }
    return new JsonObject(r.body()).getString("token");
  }

  private String status(String id, String key) throws Exception {
    return new JsonObject(send("GET", "/v1/executions/" + id, key).body()).getString("status");
  }

  private String awaitFinal(String id, String key) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    String status = status(id, key);
    while (List.of("queued", "pulling", "starting", "running").contains(status) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      status = status(id, key);
    }
    return status;
  }

  private double streamsOpen() throws Exception {
    for (String line : send("GET", "/metrics", gw.adminKey).body().split("\n")) {
      if (line.startsWith("execgate_streams_open")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  private JsonObject stats() throws Exception {
    return new JsonObject(send("GET", "/v1/stats", gw.adminKey).body());
  }

  private static String code(HttpResponse<String> r) {
    try {
      return new JsonObject(r.body()).getJsonObject("error").getString("code");
    } catch (RuntimeException e) {
      return String.valueOf(r.statusCode());
    }
  }

  private static String unwrap(Future<String> attack) throws Exception {
    try {
      return attack.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static void check(boolean held, String whatBroke) {
    if (!held) {
      throw new AssertionError(whatBroke);
    }
  }

  private static String brief(JsonObject r) {
    return "status " + r.getString("status") + ", exitCode " + r.getValue("exitCode") + ", signal " + r.getValue("signal")
      + ", durationMs " + r.getValue("durationMs") + ", stdout '" + cut(r.getString("stdout", "")) + "', stderr '"
      + cut(r.getString("stderr", "")) + "', message '" + r.getString("message", "") + "'";
  }

  private static String firstLine(String text) {
    return text == null ? "" : "'" + text.lines().findFirst().orElse("") + "'";
  }

  private static String cut(String text) {
    return text == null ? "" : text.length() > 160 ? text.substring(0, 160) + "…" : text;
  }

  private void stop(Future<AttackedGateway> started) {
    AttackedGateway g;
    try {
      g = started.get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      return;
    }
    report.attack("containers-gone " + g.instanceId, ATTACK_MS, () -> {
      g.close();
      return "gateway stopped; 0 containers labelled execgate.instance=" + g.instanceId;
    });
  }

  /**
   * A WebSocket client that keeps the JSON messages it receives.
   */
  private static final class Session implements AutoCloseable {

    final List<JsonObject> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final LinkedBlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
    private WebSocket ws;

    static Session open(RedTeamAttacks attacks, String path, String key) {
      Session s = new Session();
      s.ws = attacks.http.newWebSocketBuilder().header("authorization", "Bearer " + key)
        .buildAsync(attacks.ws(path), s.listener()).orTimeout(30, TimeUnit.SECONDS).join();
      return s;
    }

    private WebSocket.Listener listener() {
      return new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            JsonObject frame = new JsonObject(text.toString());
            text.setLength(0);
            received.add(frame);
            queue.add(frame);
          }
          ws.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
          closed.complete(statusCode + " " + reason);
          return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
          closed.complete(error.toString());
        }
      };
    }

    void send(JsonObject message) {
      ws.sendText(message.encode(), true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /**
     * @return the first frame (received from now on) that matches, or {@code null} after {@code timeoutMs}
     */
    JsonObject await(Predicate<JsonObject> match, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      for (JsonObject f : received) {
        if (match.test(f)) {
          return f;
        }
      }
      while (System.currentTimeMillis() < deadline) {
        JsonObject f = queue.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
        if (f != null && match.test(f)) {
          return f;
        }
      }
      return null;
    }

    @Override
    public void close() {
      ws.abort();
    }
  }
}
