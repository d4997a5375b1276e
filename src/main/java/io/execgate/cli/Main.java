package io.execgate.cli;

import io.execgate.ExecutionGateway;
import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.cluster.ClusterSupport;
import io.execgate.config.ClusterOptions;
import io.execgate.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar execgate.jar [--role=gateway|worker|all]}: starts a gateway from
 * {@code conf/config.json} and the environment (the flag sets {@code EXECGATE_ROLE}), joining a
 * cluster when {@code cluster.enabled} says so, and stops it gracefully on SIGTERM. A configuration,
 * cluster or engine problem at startup is one line on stderr and a non-zero exit.
 */
public final class Main {

  static {
    // the runnable jar's logging; the library carries no logback.xml, which would override an embedder's own
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "io/execgate/cli/logback.xml");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  static final int EXIT_CONFIG = 2;
  static final int EXIT_STARTUP = 3;

  private Main() {
  }

  public static void main(String[] args) {
    // the CLI's only output to stdout: what goes into auth.keys[].sha256 (and the key itself, when generated)
    if (args.length == 2 && args[0].equals("hash-key") && !args[1].equals("--generate")) {
      System.out.println(ApiKey.hash(args[1]));
      return;
    }
    if ((args.length == 1 && args[0].equals("generate-key"))
      || (args.length == 2 && args[0].equals("hash-key") && args[1].equals("--generate"))) {
      String key = ApiKey.generate();
      System.out.println("key:    " + key);
      System.out.println("sha256: " + ApiKey.hash(key));
      return;
    }
    if (args.length > 0 && args[0].equals("mcp-stdio")) {
      // the HTTP client's threads would keep the JVM up: the bridge ends with stdin
      System.exit(McpStdioBridge.run(args, System.in, System.out));
    }
    GatewayOptions options;
    try {
      options = ConfigLoader.load(environment(args));
    } catch (ConfigException e) {
      log.error("invalid configuration ({}): {}", e.key(), e.getMessage());
      System.exit(EXIT_CONFIG);
      return;
    }
    // Vert.x's own metrics (HTTP server, pools) join the gateway's at /metrics; event-bus metrics stay off,
    // their per-execution addresses would explode the label space
    VertxOptions vertxOptions = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
      .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE))
      .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS));
    ClusterOptions cluster = options.getCluster();
    Vertx vertx;
    if (cluster.isEnabled()) {
      try {
        vertx = ClusterSupport.configure(Vertx.builder().withMetrics(new MicrometerMetricsFactory()), vertxOptions,
          cluster).buildClustered().await(120, TimeUnit.SECONDS);
      } catch (ConfigException e) {
        log.error("invalid configuration ({}): {}", e.key(), e.getMessage());
        System.exit(EXIT_CONFIG);
        return;
      } catch (Exception e) {
        log.error("execgate cannot join cluster '{}' on {}:{} (members {}): {}", cluster.getName(), cluster.getHost(),
          cluster.getPort(), cluster.getMembers(), e.getMessage());
        System.exit(EXIT_STARTUP);
        return;
      }
    } else {
      vertx = Vertx.builder().with(vertxOptions).withMetrics(new MicrometerMetricsFactory()).build();
    }
    ExecutionGateway gateway;
    try {
      gateway = ExecutionGateway.deploy(vertx, options).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      ConfigException config = configProblem(e);
      if (config != null) {
        // a configuration this machine cannot honour (e.g. executor.hostMemoryCheck: refuse)
        log.error("invalid configuration ({}): {}", config.key(), config.getMessage());
      } else {
        log.error("execgate cannot start: {}", e.getMessage());
      }
      closeQuietly(vertx);
      System.exit(config != null ? EXIT_CONFIG : EXIT_STARTUP);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping: no new executions; cancelling running ones and removing their containers");
      try {
        gateway.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("stopping did not finish cleanly: {}", e.getMessage());
      }
      closeQuietly(vertx);
    }, "execgate-shutdown"));
    if (cluster.getRole().servesHttp()) {
      log.info("execgate listening on http://{}:{} (instance '{}', base image {}, runtimes {}{})",
        options.getHttp().getHost(), gateway.actualPort(), options.getInstanceId(), options.getImages().getBaseImage(),
        options.getRuntimes().stream().map(r -> r.name()).toList(), cluster.isEnabled()
          ? ", " + cluster.getRole().id() + " of cluster '" + cluster.getName() + "'" : "");
    } else {
      log.info("execgate worker '{}' of cluster '{}' running", options.getInstanceId(), cluster.getName());
    }
  }

  /**
   * @return the environment, with the command line's {@code --role=} on top
   */
  static Map<String, String> environment(String[] args) {
    Map<String, String> env = new HashMap<>(System.getenv());
    for (String arg : args) {
      if (arg.startsWith("--role=")) {
        env.put("EXECGATE_ROLE", arg.substring("--role=".length()));
      } else {
        throw new ConfigException("args", "unknown argument '" + arg + "' (usage: execgate [--role=gateway|worker|all]"
          + " | hash-key <key> | generate-key | mcp-stdio --url <gateway> [--key <key>])");
      }
    }
    return env;
  }

  private static ConfigException configProblem(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof ConfigException c) {
        return c;
      }
    }
    return null;
  }

  private static void closeQuietly(Vertx vertx) {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("closing Vert.x failed: {}", e.getMessage());
    }
  }
}
