package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A validated, resolved session request: what its sandbox runs and how long it lives.
 *
 * @param runtime            the runtime (language and version)
 * @param image              the image, after the image policy
 * @param env                environment variables of every execution in it
 * @param limits             the sandbox's memory, CPU and pids limits, and the executions' default
 *                           deadline and output cap
 * @param idleTimeoutSeconds how long it lives without an execution or a file call
 * @param lifetimeSeconds    how long it lives at most
 * @param stateful           whether it keeps one interpreter across its executions (Python)
 */
public record SessionSpec(RuntimeSpec runtime, String image, Map<String, String> env, ResourceLimits limits,
                          long idleTimeoutSeconds, long lifetimeSeconds, boolean stateful) {

  public SessionSpec {
    env = Map.copyOf(env);
  }

  public JsonObject toJson() {
    return new JsonObject().put("runtime", runtime.toJson()).put("image", image)
      .put("env", new JsonObject(new LinkedHashMap<>(env))).put("limits", limits.toJson())
      .put("idleTimeoutSeconds", idleTimeoutSeconds).put("lifetimeSeconds", lifetimeSeconds).put("stateful", stateful);
  }

  public static SessionSpec fromJson(JsonObject json) {
    Map<String, String> env = new LinkedHashMap<>();
    json.getJsonObject("env").forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    return new SessionSpec(RuntimeSpec.fromJson(json.getJsonObject("runtime")), json.getString("image"), env,
      ResourceLimits.fromJson(json.getJsonObject("limits")), json.getLong("idleTimeoutSeconds"),
      json.getLong("lifetimeSeconds"), json.getBoolean("stateful", false));
  }
}
