package io.execgate.it;

import com.github.dockerjava.api.DockerClient;
import io.execgate.ExecutionClient;
import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.SessionFile;
import io.execgate.model.SessionInfo;
import io.execgate.model.SessionRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The embedding client's sessions, over the event bus to a gateway in the same Vertx: create, a
 * binary file in, a program that reads it and writes another, that one out byte-exact, the listing,
 * close; a stateful Python session keeping a variable across executions; refusals as the HTTP API's
 * codes; no container left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionEmbeddingIT {

  private Vertx vertx;
  private DockerClient docker;
  private ExecutionGateway gateway;
  private String instanceId;

  @BeforeAll
  void deploy() {
    DockerSupport.requireDocker();
    docker = DockerSupport.client();
    instanceId = "it-session-embedding-" + UUID.randomUUID().toString().substring(0, 8);
    vertx = Vertx.vertx();
    GatewayOptions options = new GatewayOptions().setInstanceId(instanceId);
    options.getHttp().setEnabled(false);
    options.getExecutor().getPool().setSize(0);
    gateway = await(ExecutionGateway.deploy(vertx, options));
  }

  @AfterAll
  void close() throws Exception {
    try {
      if (gateway != null) {
        await(gateway.close());
      }
      await(vertx.close());
      assertThat(DockerSupport.awaitNoContainers(docker, instanceId, 10_000)).as("containers left").isEmpty();
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

  private static GatewayException failure(Future<?> future) {
    return catchThrowableOfType(GatewayException.class, () -> future.await(60, TimeUnit.SECONDS));
  }

  @Test
  void aSessionKeepsFilesThatGoInAndOutByteExact() throws Exception {
    ExecutionClient client = gateway.client();
    SessionInfo session = await(client.createSession(SessionRequest.language("sh").withIdleTimeoutSeconds(60)));
    assertThat(session.status()).isEqualTo("ready");
    assertThat(session.language()).isEqualTo("sh");
    assertThat(session.idleTimeoutSeconds()).isEqualTo(60);
    assertThat(DockerSupport.awaitNoContainers(docker, instanceId, 0)).hasSize(1);

    byte[] data = new byte[70_000];
    new Random(7).nextBytes(data);
    await(client.putFile(session.id(), "in/data.bin", Buffer.buffer(data)));
    // the program reads the uploaded bytes and writes another file of them
    ExecutionResult result = await(client.execute(session.id(), ExecutionRequest.script(
      "wc -c < in/data.bin; tail -c 1000 in/data.bin > out.bin; cat in/data.bin >> out.bin; echo done")));
    assertThat(result.status()).as(result.stderr()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(result.stdout()).isEqualTo("70000\ndone\n");
    Buffer expected = Buffer.buffer(data).slice(data.length - 1000, data.length).copy().appendBytes(data);
    assertThat(await(client.getFile(session.id(), "out.bin")).getBytes()).isEqualTo(expected.getBytes());
    assertThat(await(client.getFile(session.id(), "in/data.bin")).getBytes()).isEqualTo(data);
    List<SessionFile> files = await(client.listFiles(session.id()));
    assertThat(files).extracting(SessionFile::name).contains("in/data.bin", "out.bin");
    assertThat(files.stream().filter(f -> f.name().equals("out.bin")).findFirst().orElseThrow().size())
      .isEqualTo(71_000);
    await(client.deleteFile(session.id(), "out.bin"));
    assertThat(await(client.listFiles(session.id()))).extracting(SessionFile::name).doesNotContain("out.bin");

    // refused as the HTTP API refuses them
    assertThat(failure(client.execute(session.id(), ExecutionRequest.script("true").withLanguage("python"))).field())
      .isEqualTo("language");
    assertThat(failure(client.getFile(session.id(), "../etc/passwd")).field()).isEqualTo("path");
    assertThat(failure(client.getFile("s000", "a")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(failure(client.execute("s000", ExecutionRequest.script("true"))).code())
      .isEqualTo(ErrorCode.NOT_FOUND);

    await(client.closeSession(session.id()));
    assertThat(DockerSupport.awaitNoContainers(docker, instanceId, 10_000)).isEmpty();
    assertThat(failure(client.execute(session.id(), ExecutionRequest.script("true"))).code())
      .isEqualTo(ErrorCode.SESSION_ENDED);
  }

  @Test
  void aStatefulSessionKeepsItsInterpreterAndOnlyPythonMayAskForOne() throws Exception {
    ExecutionClient client = gateway.client();
    // the HTTP API's rule and code: stateful is python only, on field stateful
    GatewayException refused = failure(client.createSession(SessionRequest.language("sh").withStateful(true)));
    assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refused.field()).isEqualTo("stateful");
    assertThat(refused.getMessage()).contains("sh");

    SessionInfo session = await(client.createSession(SessionRequest.language("python").withStateful(true)
      .withIdleTimeoutSeconds(60)));
    assertThat(session.stateful()).isTrue();
    try {
      ExecutionResult first = await(client.execute(session.id(), ExecutionRequest.script("x = 41\nimport math\n")));
      assertThat(first.status()).as(first.stderr()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(first.stdout()).isEmpty();
      // the same interpreter: the variable and the import are still there; the last expression prints
      ExecutionResult second = await(client.execute(session.id(), ExecutionRequest.script("x + 1\n")));
      assertThat(second.status()).as(second.stderr()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(second.stdout()).isEqualTo("42\n");
      ExecutionResult third = await(client.execute(session.id(), ExecutionRequest.script("print(math.isqrt(x * 4 + 5))\n")));
      assertThat(third.stdout()).isEqualTo("13\n");
    } finally {
      await(client.closeSession(session.id()));
    }
    assertThat(DockerSupport.awaitNoContainers(docker, instanceId, 10_000)).isEmpty();
  }
}
