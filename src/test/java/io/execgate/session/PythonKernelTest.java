package io.execgate.session;

import io.execgate.model.ExecutionJob;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SessionSpec;
import io.execgate.model.SourceFile;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PythonKernelTest {

  private static final RuntimeSpec PYTHON = new RuntimeSpec("python", List.of("py"), "3.11", "img:1", "main.py", null,
    "python3 -u {file}", 1000, false);

  private static ExecutionJob job(String session) {
    return new ExecutionJob("e1", 1, PYTHON, "img:1", List.of(SourceFile.utf8("main.py", "x = 1"),
      SourceFile.utf8("data.txt", "d")), null, List.of("a"), Map.of(), new ResourceLimits(1000, 64, 0.5, 32, 100), false,
      "alice", null, List.of(), session);
  }

  private static JsonObject session(boolean stateful) {
    return new JsonObject().put("image", "img:1").put("stateful", stateful)
      .put("limits", new JsonObject().put("memoryMb", 256).put("cpus", 1.0).put("pids", 64));
  }

  @Test
  void aStatefulSessionsJobBecomesACellOfItsInterpreter() {
    ExecutionJob cell = SessionBinding.bind(job(null), session(true), "s1");
    assertThat(PythonKernel.isCell(cell)).isTrue();
    assertThat(cell.runtime().run()).isEqualTo(PythonKernel.RUN);
    assertThat(cell.files().get(0).name()).isEqualTo(PythonKernel.CELL_FILE);
    assertThat(new String(cell.files().get(0).content(), StandardCharsets.UTF_8)).isEqualTo("x = 1");
    assertThat(cell.files().get(1).name()).isEqualTo("data.txt");
    // the cell's only argument: the bytes of rich outputs it may return (its outputFilesBytes)
    assertThat(cell.args()).containsExactly(Long.toString(ResourceLimits.DEFAULT_OUTPUT_FILES_BYTES));
    assertThat(cell.limits().memoryMb()).isEqualTo(256);

    ExecutionJob plain = SessionBinding.bind(job(null), session(false), "s1");
    assertThat(PythonKernel.isCell(plain)).isFalse();
    assertThat(plain.files().get(0).name()).isEqualTo("main.py");
    // a one-shot job with the cell's run command is not a cell: only a session has an interpreter
    assertThat(PythonKernel.isCell(new ExecutionJob(cell.id(), 1, cell.runtime(), "img:1", cell.files(), null,
      List.of(), Map.of(), cell.limits(), false))).isFalse();
  }

  @Test
  void onlyPythonSupportsStatefulSessions() {
    assertThat(PythonKernel.supports(PYTHON)).isTrue();
    assertThat(PythonKernel.supports(new RuntimeSpec("sh", List.of(), "1", "img", "main.sh", null, "sh {file}", 1000,
      false))).isFalse();
  }

  @Test
  void theCleanupSparesTheInterpreterAndTheKernelShips() {
    assertThat(PythonKernel.KILL_OTHERS).doesNotContain("kill -KILL -1").contains("1|$$|\"$_k\"|\"$_w\")");
    assertThat(PythonKernel.INTERRUPT).contains("kill -INT").contains(PythonKernel.KILL_OTHERS);
    assertThat(new String(PythonKernel.script(), StandardCharsets.UTF_8)).contains("def serve()")
      .contains("send_fds");
  }

  @Test
  void theSpecKeepsStatefulOnTheWire() {
    SessionSpec spec = new SessionSpec(PYTHON, "img:1", Map.of("A", "b"), new ResourceLimits(1000, 64, 0.5, 32, 100),
      60, 600, true);
    assertThat(SessionSpec.fromJson(spec.toJson())).isEqualTo(spec);
    JsonObject old = spec.toJson();
    old.remove("stateful");
    assertThat(SessionSpec.fromJson(old).stateful()).isFalse();
  }
}
