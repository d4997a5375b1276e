package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deploys one real gateway per test class against the real Docker engine, on a free port and with
 * its own instance id; after the class, closes it and asserts that none of its containers is left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayITBase {

  protected Vertx vertx;
  protected ExecutionGateway gateway;
  protected WebClient client;
  protected DockerClient docker;
  protected String instanceId;
  /** The checker of {@link #client}'s responses, when {@link #checksResponsesAgainstOpenApi()}. */
  protected OpenApiResponses openApi;

  /**
   * @return the options of this class's gateway; subclasses adjust them
   */
  protected GatewayOptions options() {
    GatewayOptions options = new GatewayOptions();
    options.getHttp().setPort(0);
    options.getImages().addAllow("execgate-test/*");
    // one warm pool (the default runtime's): warm pools for every runtime image would load the engine for nothing
    options.getExecutor().getPool().setRuntimes(List.of(GatewayOptions.DEFAULT_RUNTIME));
    return options;
  }

  /**
   * @return whether every response {@link #client} receives is checked against openapi.json (status,
   *   content type, body schema: {@link OpenApiResponses}); a response that disagrees fails its request
   */
  protected boolean checksResponsesAgainstOpenApi() {
    return false;
  }

  /**
   * @return the options of the Vertx the gateway runs in; subclasses adjust them
   */
  protected VertxOptions vertxOptions() {
    return new VertxOptions();
  }

  @BeforeAll
  void deployGateway() {
    DockerSupport.requireDocker();
    docker = DockerSupport.client();
    instanceId = "it-" + getClass().getSimpleName().toLowerCase(Locale.ROOT) + "-"
      + UUID.randomUUID().toString().substring(0, 8);
    vertx = Vertx.vertx(vertxOptions());
    GatewayOptions options = options().setInstanceId(instanceId);
    gateway = await(ExecutionGateway.deploy(vertx, options));
    // pooled connections are dropped before the gateway's keep-alive deadline (http.headerTimeoutMs) closes them
    client = WebClient.create(vertx, new WebClientOptions()
      .setKeepAliveTimeout(5)
      .setDefaultHost("127.0.0.1")
      .setDefaultPort(gateway.actualPort()), new PoolOptions().setHttp1MaxSize(64));
    if (checksResponsesAgainstOpenApi()) {
      openApi = OpenApiResponses.load(vertx);
      openApi.check(client);
    }
  }

  @AfterAll
  void closeGatewayAndCheckNoContainerIsLeft() throws Exception {
    if (openApi != null) {
      LoggerFactory.getLogger(getClass()).info("responses checked against openapi.json: {}", openApi.checked());
    }
    try {
      if (gateway != null) {
        await(gateway.close());
      }
      if (vertx != null) {
        await(vertx.close());
      }
      if (docker != null) {
        assertThat(DockerSupport.awaitNoContainers(docker, instanceId, 10_000))
          .as("containers of instance %s left behind", instanceId)
          .isEmpty();
      }
    } finally {
      if (docker != null) {
        docker.close();
      }
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Submits and waits for the final result.
   */
  protected JsonObject run(JsonObject body) {
    HttpResponse<Buffer> response = post("/v1/executions?wait=true", body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  protected JsonObject run(String script) {
    return run(new JsonObject().put("script", script));
  }

  protected HttpResponse<Buffer> post(String path, JsonObject body) {
    return await(client.post(path).putHeader("content-type", "application/json").sendBuffer(body.toBuffer()));
  }

  protected HttpResponse<Buffer> get(String path) {
    return await(client.get(path).send());
  }

  protected HttpResponse<Buffer> delete(String path) {
    return await(client.delete(path).send());
  }

  /**
   * Polls an execution until its status satisfies {@code done}.
   */
  protected JsonObject awaitStatus(String id, java.util.function.Predicate<String> done, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonObject record;
    do {
      HttpResponse<Buffer> r = get("/v1/executions/" + id);
      assertThat(r.statusCode()).isEqualTo(200);
      record = r.bodyAsJsonObject();
      if (done.test(record.getString("status"))) {
        return record;
      }
      Thread.sleep(50);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("execution " + id + " still " + record.getString("status") + " after " + timeoutMs + " ms");
  }

  static boolean isFinal(String status) {
    return switch (status) {
      case "queued", "pulling", "starting", "running" -> false;
      default -> true;
    };
  }
}
