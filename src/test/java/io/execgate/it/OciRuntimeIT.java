package io.execgate.it;

import io.execgate.DefaultRuntimes;
import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stronger isolation: runtime entries that run their sandboxes with gVisor ({@code runsc}, which
 * bin/setup declares to the engine), warm or cold, with the launcher as unreadable to the program
 * as under runc; and an OCI runtime the engine lacks stops the gateway at startup, naming the field.
 */
class OciRuntimeIT extends GatewayITBase {

  private static final String RUNSC = "runsc";

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.addRuntime(new RuntimeSpec("sh-gvisor", List.of(), "1.35.0", null, "main.sh", null, "sh {file}",
      10_000, false, RUNSC));
    options.addRuntime(new RuntimeSpec("python-gvisor", List.of(), "3.11.2", DefaultRuntimes.PYTHON_IMAGE, "main.py",
      null, "python3 -u {file}", 10_000, false, RUNSC));
    // the base image pooled twice: for runc and for runsc, never one for the other
    options.getExecutor().getPool().setRuntimes(List.of(GatewayOptions.DEFAULT_RUNTIME, "sh-gvisor"));
    return options;
  }

  @BeforeAll
  @Override
  void deployGateway() {
    DockerSupport.requireDocker();
    String problem = null;
    try (var docker = DockerSupport.client()) {
      if (!docker.infoCmd().exec().getRuntimes().containsKey(RUNSC)) {
        problem = "the engine has no OCI runtime '" + RUNSC + "': bin/setup declares it";
      }
    } catch (Exception e) {
      problem = e.getMessage();
    }
    if (problem != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(problem);
      }
      Assumptions.abort(problem);
    }
    DockerSupport.requireImages(DefaultRuntimes.PYTHON_IMAGE);
    super.deployGateway();
  }

  @Test
  void aRuntimeEntryRunsItsSandboxesInGvisorWarmAndCold() throws Exception {
    // gVisor's own kernel answers uname; the first run may be cold, the next ones are warm
    for (int i = 0; i < 3; i++) {
      JsonObject r = run(new JsonObject().put("language", "sh-gvisor").put("script", "uname -r; id -u"));
      assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
      assertThat(r.getString("stdout")).isEqualTo("4.4.0\n1000\n");
    }
    JsonObject runc = run("uname -r");
    assertThat(runc.getString("stdout")).isNotEqualTo("4.4.0\n");
    JsonObject pools = get("/ready").bodyAsJsonObject().getJsonObject("pool");
    assertThat(pools.getJsonArray("pools").stream().map(p -> ((JsonObject) p).getString("ociRuntime")).toList())
      .as(pools.encode()).containsExactlyInAnyOrder(null, RUNSC);
  }

  @Test
  void underGvisorTheProgramCannotReadItsLaunchersMemoryNorForgeItsExit() {
    JsonObject probe = run(new JsonObject().put("language", "python-gvisor").put("script", LauncherProbe.PYTHON)
      .put("limits", new JsonObject().put("timeoutMs", 30_000)));
    // gVisor shows a process its ancestors' environment (the launcher's holds PATH, HOSTNAME and HOME
    // only), memory map and descriptors (pipes the program shares anyway), never their memory
    assertThat(probe.getString("stdout")).as(probe.encode()).isEqualTo("self status open\nparent mem denied\n"
      + "parent environ open\nparent maps open\nparent fd open\n");
    JsonObject r = run(new JsonObject().put("language", "python-gvisor")
      .put("script", ProgramIntegrityIT.PY_STEAL + "forge('exit:0:::0')\nsys.exit(7)\n")
      .put("limits", new JsonObject().put("timeoutMs", 30_000)));
    assertThat(r.getString("stdout")).as(r.encode()).startsWith("no nonce\n");
    assertThat(r.getString("status")).isEqualTo("failed");
    assertThat(r.getInteger("exitCode")).isEqualTo(7);
  }

  @Test
  void aProgramThatKillsItsLauncherUnderGvisorFailsWithThatSignal() {
    JsonObject r = run(new JsonObject().put("language", "sh-gvisor")
      .put("script", "echo before; kill -9 $PPID; sleep 5; echo after"));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("failed");
    assertThat(r.getString("signal")).isEqualTo("SIGKILL");
    assertThat(r.getString("stdout")).isEqualTo("before\n");
  }

  @Test
  void anOciRuntimeTheEngineLacksStopsTheGatewayAtStartupNamingTheField() throws Exception {
    GatewayOptions options = super.options().setInstanceId(instanceId + "-crun");
    options.addRuntime(new RuntimeSpec("c-crun", List.of(), "1", null, "main.sh", null, "sh {file}", 10_000, false,
      "crun"));
    int index = options.getRuntimes().size() - 1;
    Throwable failure = ExecutionGateway.deploy(vertx, options).toCompletionStage().toCompletableFuture()
      .handle((gw, err) -> {
        if (gw != null) {
          gw.close();
        }
        return err;
      }).get(60, TimeUnit.SECONDS);
    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).startsWith("runtimes[" + index + "].ociRuntime names the OCI runtime 'crun', "
      + "which the Docker engine at ").contains("does not have").contains("runsc");
    GatewayOptions global = super.options().setInstanceId(instanceId + "-crun2");
    global.getDocker().setOciRuntime("crun");
    Throwable globalFailure = ExecutionGateway.deploy(vertx, global).toCompletionStage().toCompletableFuture()
      .handle((gw, err) -> err).get(60, TimeUnit.SECONDS);
    assertThat(globalFailure.getMessage()).startsWith("docker.ociRuntime names the OCI runtime 'crun'");
  }
}
