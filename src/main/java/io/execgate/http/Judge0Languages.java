package io.execgate.http;

import io.execgate.model.RuntimeSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configured runtimes as Judge0 languages: each has the {@code judge0Id} of its configuration,
 * else Judge0 CE's id for the same language (bash 46, c 50, c++ 54, javascript 63, python 71); a
 * runtime with neither is not offered here. When two runtimes have one id, the first configured has it.
 */
final class Judge0Languages {

  /** Judge0 CE's ids ({@code db/languages/active.rb}) of the languages execgate ships. */
  static final Map<String, Integer> CE_IDS = Map.of("bash", 46, "c", 50, "c++", 54, "javascript", 63, "python", 71);
  private static final Map<String, String> DISPLAY = Map.of("bash", "Bash", "c", "C (GCC", "c++", "C++ (GCC",
    "javascript", "JavaScript (Node.js", "python", "Python");

  private final Map<Integer, RuntimeSpec> byId = new TreeMap<>();

  Judge0Languages(Iterable<RuntimeSpec> runtimes) {
    for (RuntimeSpec spec : runtimes) {
      Integer id = id(spec);
      if (id != null) {
        byId.putIfAbsent(id, spec);
      }
    }
  }

  /**
   * @return the language id of a runtime, or {@code null} when it has none
   */
  static Integer id(RuntimeSpec spec) {
    return spec.judge0Id() != null ? spec.judge0Id() : CE_IDS.get(spec.name());
  }

  RuntimeSpec find(int id) {
    return byId.get(id);
  }

  /**
   * @return the id under which {@code runtime} is offered, or {@code null}
   */
  Integer idOf(String runtimeName, String version) {
    for (Map.Entry<Integer, RuntimeSpec> e : byId.entrySet()) {
      if (e.getValue().name().equals(runtimeName) && e.getValue().version().equals(version)) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * @return Judge0's name of a language, e.g. {@code Python (3.11.2)} or {@code C (GCC 12.2.0)}
   */
  static String name(RuntimeSpec spec) {
    String display = DISPLAY.get(spec.name());
    if (display == null) {
      return spec.name() + " (" + spec.version() + ")";
    }
    return display.endsWith("(GCC") || display.endsWith("(Node.js")
      ? display + " " + spec.version() + ")" : display + " (" + spec.version() + ")";
  }

  /**
   * @return {@code GET /languages}: {@code [{id, name}]}, by name as Judge0 orders them
   */
  JsonArray list() {
    JsonArray list = new JsonArray();
    byId.entrySet().stream()
      .sorted(Comparator.comparing(e -> name(e.getValue())))
      .forEach(e -> list.add(new JsonObject().put("id", e.getKey()).put("name", name(e.getValue()))));
    return list;
  }

  /**
   * @return {@code GET /languages/{id}}, or {@code null} for an unknown id
   */
  JsonObject describe(int id) {
    RuntimeSpec spec = byId.get(id);
    if (spec == null) {
      return null;
    }
    return new JsonObject()
      .put("id", id)
      .put("name", name(spec))
      .put("is_archived", false)
      .put("source_file", spec.file())
      .put("compile_cmd", spec.compile())
      .put("run_cmd", spec.run().replace("{file}", spec.file()));
  }
}
