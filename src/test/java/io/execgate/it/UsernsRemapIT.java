package io.execgate.it;

import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway against an engine with user-namespace remapping ({@code dockerd
 * --userns-remap=default}), a private engine this test starts: sandboxes run, uid 1000 inside is not
 * uid 1000 of the host, and the sandbox's guarantees hold there too.
 */
class UsernsRemapIT extends GatewayITBase {

  private PrivateEngine engine;
  /** The shared engine's bridge, which the private engine must leave alone. */
  private final boolean hadDocker0 = java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net/docker0"));

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getDocker().setHost(engine.host());
    return options;
  }

  @BeforeAll
  @Override
  void deployGateway() {
    DockerSupport.requireDocker();
    try {
      engine = PrivateEngine.start("--userns-remap=default");
      engine.load(DockerSupport.IMAGE);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    docker = DockerSupport.client(engine.host());
    instanceId = "it-" + getClass().getSimpleName().toLowerCase(Locale.ROOT) + "-"
      + UUID.randomUUID().toString().substring(0, 8);
    vertx = Vertx.vertx(vertxOptions());
    gateway = await(ExecutionGateway.deploy(vertx, options().setInstanceId(instanceId)));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(gateway.actualPort()), new PoolOptions().setHttp1MaxSize(8));
  }

  @AfterAll
  @Override
  void closeGatewayAndCheckNoContainerIsLeft() throws Exception {
    try {
      super.closeGatewayAndCheckNoContainerIsLeft();
    } finally {
      if (engine != null) {
        engine.close();
      }
    }
    assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net/docker0")))
      .as("the shared engine's docker0 bridge").isEqualTo(hadDocker0);
  }

  @Test
  void sandboxesRunWithTheirUidsMappedAwayFromTheHosts() throws Exception {
    assertThat(docker.infoCmd().exec().getSecurityOptions()).as(engine.log()).contains("name=userns");
    JsonObject r = run("id -u; cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'");
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    String[] lines = r.getString("stdout").split("\n");
    assertThat(lines[0]).isEqualTo("1000");
    // container uid 0 is a subordinate uid of the host, so container uid 1000 is not host uid 1000
    String[] map = lines[1].split(" ");
    assertThat(map[0]).isEqualTo("0");
    assertThat(Long.parseLong(map[1])).isGreaterThanOrEqualTo(65_536);
  }

  @Test
  void theLauncherStaysUnreadableAndItsDeathIsTheProgramsFailure() {
    JsonObject probe = run(LauncherProbe.SHELL);
    assertThat(probe.getString("stdout")).as(probe.encode()).isEqualTo(LauncherProbe.EXPECTED);
    JsonObject killed = run("echo before; kill -9 $PPID; sleep 5");
    assertThat(killed.getString("status")).as(killed.encode()).isEqualTo("failed");
    assertThat(killed.getString("signal")).isEqualTo("SIGKILL");
  }

  @Test
  void theProfileHolds() {
    JsonObject r = run("ulimit -c; touch /x 2>/dev/null || echo ro; echo ok > /tmp/f && cat /tmp/f");
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo("0\nro\nok\n");
  }
}
