package io.execgate.session;

import io.execgate.config.SessionOptions;
import io.execgate.error.GatewayException;
import io.execgate.model.ExecutionJob;
import io.execgate.model.SessionCall;
import io.execgate.model.SessionSpec;
import io.execgate.model.SourceFile;
import io.execgate.request.RequestResolver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Checks a session that a cluster worker is asked to create, as it checks a job it is sent: whoever
 * is on the cluster's event bus can send one, and a worker trusts no gateway's checks. The runtime is
 * this node's own of the spec's name and version, the image must pass this node's policy, env keeps its
 * caps, the sandbox limits are clamped to this node's maxima (those the engine would read as unlimited
 * refused), and the idle timeout and lifetime to this node's {@code sessions} maxima.
 */
final class SessionRecheck {

  private static final Logger log = LoggerFactory.getLogger(SessionRecheck.class);

  private SessionRecheck() {
  }

  /**
   * @return the spec of a create that came over the cluster's bus, checked by this node's rules (a value
   *   above its maxima clamped, and a warning logged)
   */
  static SessionSpec create(SessionCall call, RequestResolver resolver, SessionOptions config) {
    if (call.owner() == null) {
      throw GatewayException.invalid("owner", "a session needs an owner");
    }
    List<String> clamped = new ArrayList<>();
    SessionSpec spec = spec(resolver, config, call.spec(), clamped);
    if (!clamped.isEmpty()) {
      log.warn("session create for key {} asks more than this worker allows: {}", call.owner(),
        String.join(", ", clamped));
    }
    return spec;
  }

  /**
   * @param notes receives one line per value clamped
   * @return the spec to create
   * @throws GatewayException naming the first field that breaks a rule
   */
  static SessionSpec spec(RequestResolver resolver, SessionOptions config, SessionSpec spec, List<String> notes) {
    if (spec == null || spec.runtime() == null || spec.limits() == null) {
      throw GatewayException.invalid("language", "a session needs a runtime and limits");
    }
    // the resolver's own rules, on a job that runs nothing: the spec's runtime, image, env and limits
    ExecutionJob probe = new ExecutionJob(UUID.randomUUID().toString(), System.currentTimeMillis(), spec.runtime(),
      spec.image(), List.of(new SourceFile(spec.runtime().file() == null ? "main" : spec.runtime().file(),
      "true".getBytes(StandardCharsets.UTF_8))), null, List.of(), spec.env(), spec.limits(), false);
    ExecutionJob checked = resolver.recheck(probe, notes);
    if (spec.stateful()) {
      PythonKernel.checkStateful(checked.runtime());
    }
    return new SessionSpec(checked.runtime(), checked.image(), checked.env(), checked.limits(),
      seconds("idleTimeoutSeconds", spec.idleTimeoutSeconds(), config.getMaxIdleTimeoutSeconds(), notes),
      seconds("maxLifetimeSeconds", spec.lifetimeSeconds(), config.getMaxLifetimeSeconds(), notes), spec.stateful());
  }

  private static long seconds(String field, long value, long max, List<String> notes) {
    if (value < 1) {
      throw GatewayException.invalid(field, field + " must be at least 1, got " + value);
    }
    if (value > max) {
      notes.add(field + " " + value + " clamped to " + max);
      return max;
    }
    return value;
  }
}
