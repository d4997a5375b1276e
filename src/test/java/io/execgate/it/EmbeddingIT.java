package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.execgate.ExecutionClient;
import io.execgate.ExecutionGateway;
import io.execgate.ExecutionStream;
import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.model.RequestLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A host Vert.x application with routes of its own embeds gateways, on the real engine: executions
 * run through the API mounted under a prefix and through the in-JVM {@link ExecutionClient}, whose
 * stream's back-pressure reaches the program; two gateways share one Vertx without clashing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingIT {

  private Vertx vertx;
  private DockerClient docker;
  private String hostDeployment;
  private HostVerticle host;
  private ExecutionGateway second;
  /** The registry the application handed the second gateway. */
  private final MeterRegistry secondMeters = new SimpleMeterRegistry();
  private HttpServer twoGateways;
  private WebClient http;
  private String instanceA;
  private String instanceB;

  private static GatewayOptions options(String instanceId, String addressPrefix) {
    GatewayOptions options = new GatewayOptions().setInstanceId(instanceId).setAddressPrefix(addressPrefix);
    options.getExecutor().getPool().setRuntimes(List.of(GatewayOptions.DEFAULT_RUNTIME)).setSize(1);
    // the application allows more output than the default maximum: the paused-stream test writes 15 MB
    options.getExecutor().setMaxLimits(options.getExecutor().getMaxLimits().withOutputBytes(32L << 20));
    return options;
  }

  @BeforeAll
  void deployHostApplication() {
    DockerSupport.requireDocker();
    docker = DockerSupport.client();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    instanceA = "it-embedding-a-" + suffix;
    instanceB = "it-embedding-b-" + suffix;
    vertx = Vertx.vertx();
    host = new HostVerticle(options(instanceA, "execgate"), 0);
    hostDeployment = await(vertx.deployVerticle(host));
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setFollowRedirects(false));

    // a second gateway in the same Vertx, with its own address prefix; both mounted by one server
    GatewayOptions b = options(instanceB, "other-gateway");
    b.getHttp().setEnabled(false);
    second = await(ExecutionGateway.deploy(vertx, b, secondMeters));
    Router router = Router.router(vertx);
    router.route("/a/*").subRouter(host.gateway().router());
    router.route("/b/*").subRouter(second.router());
    twoGateways = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void undeployAndCheckNoContainerIsLeft() throws Exception {
    try {
      if (twoGateways != null) {
        await(twoGateways.close());
      }
      if (hostDeployment != null) {
        await(vertx.undeploy(hostDeployment));
      }
      if (second != null) {
        await(second.close());
      }
      await(vertx.close());
      for (String instance : new String[]{instanceA, instanceB, instanceA + "-c"}) {
        assertThat(DockerSupport.awaitNoContainers(docker, instance, 10_000)).as("containers of %s", instance).isEmpty();
      }
    } finally {
      docker.close();
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private HttpResponse<Buffer> get(int port, String path) {
    return await(http.get(port, "127.0.0.1", path).send());
  }

  private HttpResponse<Buffer> post(int port, String path, JsonObject body) {
    return await(http.post(port, "127.0.0.1", path).putHeader("content-type", "application/json")
      .sendBuffer(body.toBuffer()));
  }

  @Test
  void theMountedApiServesExecutionsBesideTheHostsOwnRoutes() throws Exception {
    int port = host.actualPort();
    assertThat(get(port, "/hello").bodyAsString()).isEqualTo("hello from the host");
    assertThat(get(port, "/exec/health").bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(host.gateway().actualPort()).as("the gateway opened no port of its own").isEqualTo(-1);

    HttpResponse<Buffer> ran = post(port, "/exec/v1/executions?wait=true",
      new JsonObject().put("script", "echo \"hi $1\"; echo err >&2; exit 3").put("args", List.of("host")));
    assertThat(ran.statusCode()).as(ran.bodyAsString()).isEqualTo(200);
    JsonObject result = ran.bodyAsJsonObject();
    assertThat(result.getString("status")).isEqualTo("failed");
    assertThat(result.getInteger("exitCode")).isEqualTo(3);
    assertThat(result.getString("stdout")).isEqualTo("hi host\n");
    assertThat(result.getString("stderr")).isEqualTo("err\n");

    // links and Location carry the mount point
    HttpResponse<Buffer> accepted = post(port, "/exec/v1/executions", new JsonObject().put("script", "echo later"));
    assertThat(accepted.statusCode()).isEqualTo(202);
    String id = accepted.bodyAsJsonObject().getString("id");
    assertThat(accepted.getHeader("location")).isEqualTo("/exec/v1/executions/" + id);
    assertThat(accepted.bodyAsJsonObject().getJsonObject("links").getString("events"))
      .isEqualTo("/exec/v1/executions/" + id + "/events");
    JsonObject done = awaitFinal(port, "/exec/v1/executions/" + id);
    assertThat(done.getString("stdout")).isEqualTo("later\n");
    // the same execution's frames over Server-Sent Events, replayed through the mount
    String events = get(port, "/exec/v1/executions/" + id + "/events").bodyAsString();
    assertThat(events).contains("\"type\":\"accepted\"").contains("\"data\":\"later\\n\"").contains("\"type\":\"exit\"");

    // the API's own errors keep their shape under the mount
    HttpResponse<Buffer> missing = get(port, "/exec/v1/executions/" + UUID.randomUUID());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
    HttpResponse<Buffer> invalid = post(port, "/exec/v1/executions", new JsonObject().put("script", "x")
      .put("limits", new JsonObject().put("timeoutMs", 999_999)));
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(invalid.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("limits.timeoutMs");

    // and Piston's under /api/v2, mounted
    HttpResponse<Buffer> piston = post(port, "/exec/api/v2/execute", new JsonObject().put("language", "sh"));
    assertThat(piston.statusCode()).isEqualTo(400);
    assertThat(piston.bodyAsJsonObject()).isEqualTo(new JsonObject().put("message", "files is required as an array"));
    HttpResponse<Buffer> oversized = await(http.post(port, "127.0.0.1", "/exec/api/v2/packages")
      .putHeader("content-type", "text/plain").sendBuffer(Buffer.buffer(new byte[65 * 1024])));
    assertThat(oversized.statusCode()).isEqualTo(413);
    assertThat(oversized.bodyAsJsonObject()).isEqualTo(new JsonObject().put("message", "the request body is too large"));
    assertThat(get(port, "/exec/api/v2/packages").bodyAsJsonArray().getJsonObject(0).getBoolean("installed")).isTrue();

    // the web page and its assets, by relative URLs
    HttpResponse<Buffer> page = get(port, "/exec/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("src=\"assets/app.js\"").doesNotContain("\"/assets/");
    assertThat(get(port, "/exec/assets/app.js").bodyAsString()).contains("new URL('v1/ws', location.href)");
    assertThat(get(port, "/exec/openapi.json").bodyAsJsonObject().getString("openapi")).startsWith("3.");
    assertThat(get(port, "/exec/v1/stats").bodyAsJsonObject().getJsonObject("executions").getLong("succeeded"))
      .isGreaterThanOrEqualTo(1);

    // the host's own route runs code through the in-JVM client
    HttpResponse<Buffer> script = await(http.post(port, "127.0.0.1", "/scripts").sendBuffer(Buffer.buffer("echo $((6*7))")));
    assertThat(script.bodyAsJsonObject().getString("stdout")).isEqualTo("42\n");
  }

  private JsonObject awaitFinal(int port, String path) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonObject record;
    do {
      record = get(port, path).bodyAsJsonObject();
      if (ExecutionStatus.of(record.getString("status")).isFinal()) {
        return record;
      }
      Thread.sleep(50);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError(path + " is still " + record.encode());
  }

  @Test
  void theClientExecutesTypedRequestsAndRefusesInvalidOnesLikeTheHttpApi() {
    ExecutionClient client = host.gateway().client();
    ExecutionResult result = await(client.execute(ExecutionRequest.script("read -r x; echo \"$x $1 $K\"; exit 3")
      .withStdin("in\n").withArgs(List.of("arg")).withEnv(Map.of("K", "v"))));
    assertThat(result.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("in arg v\n");
    assertThat(await(client.get(result.id())).stdout()).isEqualTo("in arg v\n");

    GatewayException tooLong = catchThrowableOfType(GatewayException.class, () -> client
      .execute(ExecutionRequest.script("x").withLimits(RequestLimits.defaults().withTimeoutMs(999_999)))
      .await(10, TimeUnit.SECONDS));
    assertThat(tooLong.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
    assertThat(tooLong.field()).isEqualTo("limits.timeoutMs");
    GatewayException unknown = catchThrowableOfType(GatewayException.class,
      () -> client.get(UUID.randomUUID().toString()).await(10, TimeUnit.SECONDS));
    assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
    GatewayException ended = catchThrowableOfType(GatewayException.class,
      () -> client.cancel(result.id()).await(10, TimeUnit.SECONDS));
    assertThat(ended.code()).isEqualTo(ErrorCode.ALREADY_FINISHED);
  }

  @Test
  void pausingTheClientsStreamBlocksTheProgramAndResumingDeliversEveryByte() throws Exception {
    int n = 2_000_000;
    long pauseMs = 4_000;
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    long expectedBytes = 0;
    for (int i = 1; i <= n; i++) {
      byte[] line = (i + "\n").getBytes(StandardCharsets.US_ASCII);
      expected.update(line);
      expectedBytes += line.length;
    }
    // the program times its own writes: a paused reader must make them take as long as the pause
    ExecutionRequest request = ExecutionRequest.script("start=$(date +%s); seq 1 " + n
        + "; end=$(date +%s); echo \"wrote in $((end - start)) s\" >&2")
      .withLimits(RequestLimits.defaults().withOutputBytes(32 << 20).withTimeoutMs(60_000));
    ExecutionClient client = host.gateway().client();
    ExecutionStream stream = await(client.stream(request));

    Frames frames = new Frames(true);
    CompletableFuture<Void> paused = new CompletableFuture<>();
    stream.handler(frame -> {
      frames.add(frame.toJson());
      if (frame.type() == Frame.Type.STDOUT && !paused.isDone()) {
        stream.pause();
        paused.complete(null);
      }
    });
    stream.endHandler(v -> frames.closed(null, "end"));
    paused.get(30, TimeUnit.SECONDS);
    int delivered = frames.all().size();
    Thread.sleep(pauseMs);

    // paused: nothing more was delivered, and the program has not finished
    assertThat(frames.all()).hasSize(delivered);
    assertThat(frames.stdoutBytes()).isLessThan(expectedBytes / 10);
    assertThat(await(client.get(stream.id())).status().isFinal()).as("the program ended while its reader was paused")
      .isFalse();

    stream.resume();
    JsonObject exit = frames.awaitExit(60_000);
    frames.awaitEnd(5_000);
    assertThat(exit.getString("status")).as(exit.encode()).isEqualTo("succeeded");
    assertThat(exit.getBoolean("stdoutTruncated")).isFalse();
    assertThat(frames.stdoutBytes()).isEqualTo(expectedBytes);
    assertThat(frames.stdoutSha256()).isEqualTo(HexFormat.of().formatHex(expected.digest()));
    frames.assertCompleteFrom(0);
    String stderr = frames.all().stream().filter(f -> "stderr".equals(f.getString("type")))
      .map(f -> f.getString("data")).reduce("", String::concat);
    Matcher wrote = Pattern.compile("wrote in (\\d+) s\n").matcher(stderr);
    assertThat(wrote.matches()).as(stderr).isTrue();
    assertThat(Long.parseLong(wrote.group(1))).as("seconds the program spent writing")
      .isGreaterThanOrEqualTo(pauseMs / 1000 - 1);
  }

  @Test
  void theClientCancelsAStreamedExecution() throws Exception {
    ExecutionClient client = host.gateway().client();
    ExecutionStream stream = await(client.stream(ExecutionRequest.script("echo started; sleep 30")));
    Frames frames = new Frames();
    stream.handler(frame -> frames.add(frame.toJson())).endHandler(v -> frames.closed(null, "end"));
    frames.await(Frames.stdoutContaining("started"), 30_000);
    ExecutionResult cancelled = await(client.cancel(stream.id()));
    assertThat(cancelled.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(frames.awaitExit(10_000).getString("status")).isEqualTo("cancelled");
    frames.awaitEnd(5_000);
    frames.assertCompleteFrom(0);
    assertThat(DockerSupport.awaitExecutionContainerGone(docker, stream.id(), 10_000)).isTrue();
  }

  @Test
  void twoGatewaysInOneVertxKeepTheirExecutionsApart() throws Exception {
    int port = twoGateways.actualPort();
    long succeededOnA = stats(port, "/a").getJsonObject("executions").getLong("succeeded");
    long succeededOnB = stats(port, "/b").getJsonObject("executions").getLong("succeeded");

    JsonObject onB = post(port, "/b/v1/executions?wait=true", new JsonObject().put("script", "echo b")).bodyAsJsonObject();
    assertThat(onB.getString("stdout")).isEqualTo("b\n");
    assertThat(get(port, "/b/v1/executions/" + onB.getString("id")).statusCode()).isEqualTo(200);
    assertThat(get(port, "/a/v1/executions/" + onB.getString("id")).statusCode()).as("A knows nothing of B's")
      .isEqualTo(404);
    ExecutionResult viaClient = await(second.client().execute(ExecutionRequest.script("echo client-b")));
    assertThat(viaClient.stdout()).isEqualTo("client-b\n");
    GatewayException notOnA = catchThrowableOfType(GatewayException.class,
      () -> host.gateway().client().get(viaClient.id()).await(10, TimeUnit.SECONDS));
    assertThat(notOnA.code()).isEqualTo(ErrorCode.NOT_FOUND);

    // each gateway counts its own executions, and ran them in containers of its own instance
    assertThat(stats(port, "/b").getJsonObject("executions").getLong("succeeded")).isEqualTo(succeededOnB + 2);
    assertThat(stats(port, "/a").getJsonObject("executions").getLong("succeeded")).isEqualTo(succeededOnA);
    ExecutionStream running = await(second.client().stream(ExecutionRequest.script("echo up; sleep 30")));
    Frames frames = new Frames();
    running.handler(frame -> frames.add(frame.toJson()));
    frames.await(Frames.stdoutContaining("up"), 30_000);
    Container container = DockerSupport.awaitExecutionContainer(docker, running.id(), 10_000);
    assertThat(container).as("the container of " + running.id()).isNotNull();
    assertThat(container.getLabels().get("execgate.instance")).isEqualTo(instanceB);
    assertThat(await(second.client().cancel(running.id())).status()).isEqualTo(ExecutionStatus.CANCELLED);
  }

  @Test
  void theApplicationsRegistriesCountEachGatewaysExecutionsApart() {
    // a third gateway in the same Vertx, with a registry of its own and no warm pool: its start is cold
    MeterRegistry thirdMeters = new SimpleMeterRegistry();
    GatewayOptions c = options(instanceA + "-c", "third-gateway");
    c.getHttp().setEnabled(false);
    c.getExecutor().getPool().setSize(0);
    ExecutionGateway third = await(ExecutionGateway.deploy(vertx, c, thirdMeters));
    try {
      double secondBefore = succeeded(secondMeters);
      assertThat(await(third.client().execute(ExecutionRequest.script("echo metered"))).stdout()).isEqualTo("metered\n");

      assertThat(thirdMeters.get("execgate_executions").tags("status", "succeeded", "start", "cold").counter().count())
        .isEqualTo(1.0);
      assertThat(thirdMeters.get("execgate_executions").counters()).as("no other status or start").hasSize(1);
      Timer duration = thirdMeters.get("execgate_execution_duration").tags("status", "succeeded").timer();
      assertThat(duration.count()).isEqualTo(1);
      assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isPositive().isLessThan(30_000);
      assertThat(thirdMeters.get("execgate_execution_queued").timer().count()).isEqualTo(1);
      assertThat(succeeded(secondMeters)).as("the second gateway's registry").isEqualTo(secondBefore);

      assertThat(await(second.client().execute(ExecutionRequest.script("echo second"))).stdout()).isEqualTo("second\n");
      assertThat(succeeded(secondMeters)).isEqualTo(secondBefore + 1);
      assertThat(succeeded(thirdMeters)).as("the third gateway's registry").isEqualTo(1.0);
      // the gateways' own gauges reach the application too
      assertThat(thirdMeters.get("execgate_capacity").gauge().value()).isPositive();
    } finally {
      await(third.close());
    }
    assertThat(thirdMeters.getMeters()).as("a closed gateway's meters leave the application's registry").isEmpty();
    assertThat(secondMeters.find("execgate_executions").counters()).as("the other gateway's stay").isNotEmpty();
  }

  private static double succeeded(MeterRegistry registry) {
    return registry.find("execgate_executions").tag("status", "succeeded").counters().stream()
      .mapToDouble(counter -> counter.count()).sum();
  }

  @Test
  void undeployingTheHostRightAfterAnExecutionLeavesNoContainer() throws Exception {
    // the gateway's verticles are the host verticle's children: Vert.x undeploys them first, all at once,
    // while the warm pool may still be creating the container that replaces the one just taken
    Vertx own = Vertx.vertx();
    String instance = "it-embedding-undeploy-" + UUID.randomUUID().toString().substring(0, 8);
    try {
      HostVerticle app = new HostVerticle(options(instance, "undeployed"), 0);
      String deployment = await(own.deployVerticle(app));
      assertThat(await(app.gateway().client().execute(ExecutionRequest.script("echo bye"))).stdout()).isEqualTo("bye\n");
      await(own.undeploy(deployment));
      assertThat(DockerSupport.awaitNoContainers(docker, instance, 10_000)).isEmpty();
    } finally {
      await(own.close());
    }
  }

  private JsonObject stats(int port, String mount) {
    return get(port, mount + "/v1/stats").bodyAsJsonObject();
  }
}
