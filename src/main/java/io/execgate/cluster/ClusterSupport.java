package io.execgate.cluster;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.execgate.config.ClusterOptions;
import io.execgate.config.ConfigException;
import io.execgate.config.ClusterTlsOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.KeyStoreOptionsBase;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;

/**
 * Builds clustered Vert.x instances for execgate: the Hazelcast cluster manager with a TCP-IP
 * member list (multicast and auto-detection off), bound to the configured interface, without
 * Hazelcast's phone-home and join delays, Java deserialization restricted to an allow-list, and the
 * event bus on TLS with client certificates when {@code cluster.tls} says so; and tells a node's id
 * and the cluster's members. No static state.
 */
public final class ClusterSupport {

  /** Binding to every interface: Hazelcast and the event bus then announce the address Hazelcast picks. */
  public static final String ANY_HOST = "0.0.0.0";
  /**
   * What Hazelcast may deserialize with Java serialization (class-name prefixes). Vert.x's own entries
   * (event-bus subscriptions, node infos) are Hazelcast {@code DataSerializable}; JSON values (records,
   * live entries, idempotency keys, tokens) travel as Vert.x {@code ClusterSerializable} inside a
   * {@code DataSerializable} holder; strings and numbers in Hazelcast's own formats. What does use Java
   * serialization: Vert.x's counters (the per-key quotas), whose updates are serializable lambdas
   * ({@code java.lang.invoke.SerializedLambda} resolved through {@link #VERTX_COUNTER}, which accepts
   * only its own lambdas), and Hazelcast carrying exceptions (their stack traces and collections)
   * between members: its own classes and the JDK's basic ones. Anything else (the JDK's {@code javax.*},
   * {@code sun.*}, {@code com.sun.*}, every library) is refused: gadget chains need such classes.
   */
  static final List<String> JAVA_SERIALIZATION_ALLOWED = List.of("com.hazelcast.", "java.lang.", "java.util.",
    "java.io.", "java.net.", "java.time.", "java.math.", "[");
  /** Vert.x's Hazelcast counter, whose entry processors are serializable lambdas. */
  static final String VERTX_COUNTER = "io.vertx.spi.cluster.hazelcast.impl.HazelcastCounter";

  private ClusterSupport() {
  }

  /**
   * Hazelcast and Vert.x's cluster manager for it are an optional dependency of the library: an
   * application that clusters brings them in (the runnable jar has them).
   */
  static final List<String> HAZELCAST_CLASSES = List.of("io.vertx.spi.cluster.hazelcast.HazelcastClusterManager",
    "com.hazelcast.config.Config");

  /**
   * @throws ConfigException when Hazelcast or Vert.x's cluster manager for it is not on the classpath
   */
  static void requireHazelcast() {
    for (String name : HAZELCAST_CLASSES) {
      try {
        Class.forName(name, false, ClusterSupport.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new ConfigException("cluster.enabled", "clustering needs io.vertx:vertx-hazelcast (and the Hazelcast 5 "
          + "it depends on) on the classpath, which the execgate library declares optional: add it to the "
          + "application's dependencies (" + name + " is missing)");
      }
    }
  }

  /**
   * Makes {@code builder} build a clustered Vertx for {@code cluster}; call
   * {@link VertxBuilder#buildClustered()} on it.
   *
   * @param options the Vertx options; a copy gets the event bus's cluster host, ports and TLS
   * @return {@code builder}
   * @throws ConfigException when a TLS store of {@code cluster.tls} cannot be used, or Hazelcast is not on
   *   the classpath
   */
  public static VertxBuilder configure(VertxBuilder builder, VertxOptions options, ClusterOptions cluster) {
    requireHazelcast();
    VertxOptions copy = new VertxOptions(options);
    EventBusOptions eb = copy.getEventBusOptions();
    if (!ANY_HOST.equals(cluster.getHost())) {
      eb.setHost(cluster.getHost());
      eb.setClusterPublicHost(cluster.getPublicHost() != null ? cluster.getPublicHost() : cluster.getHost());
    } else if (cluster.getPublicHost() != null) {
      // every interface, announced at the public address (without one, Vert.x binds the member's address)
      eb.setHost(ANY_HOST);
      eb.setClusterPublicHost(cluster.getPublicHost());
    }
    eb.setPort(cluster.getEventBusPort());
    ClusterTlsOptions tls = cluster.getTls();
    if (tls.isEnabled()) {
      tls.check();
      // both ends present a certificate of the cluster's authority; the client side checks the server's
      // chain (Vert.x does not verify the host name of event-bus peers, so certificates need no SAN)
      eb.setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustAll(false)
        .setKeyCertOptions(store(tls.getKeyStore(), tls.getKeyStorePassword()))
        .setTrustOptions(store(tls.getTrustStore(), tls.getTrustStorePassword()));
    }
    return builder.with(copy).withClusterManager(new HazelcastClusterManager(hazelcastConfig(cluster)));
  }

  /**
   * @return a key or trust store as Vert.x reads it; only its JKS and PKCS#12 option types survive the
   *   JSON copy that the clustered event bus makes of its options (a generic {@code KeyStoreOptions} is lost)
   */
  private static KeyStoreOptionsBase store(String path, String password) {
    return "JKS".equals(ClusterTlsOptions.type(path)) ? new JksOptions().setPath(path).setPassword(password)
      : new PfxOptions().setPath(path).setPassword(password);
  }

  /**
   * @return the Hazelcast configuration of {@code cluster}: the Vert.x default (its map settings),
   *   with the network replaced
   */
  public static Config hazelcastConfig(ClusterOptions cluster) {
    Config cfg = ConfigUtil.loadConfig();
    cfg.setClusterName(cluster.getName());
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.logging.type", "slf4j");
    cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
    cfg.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    // a member silent this long is dropped: it bounds how long a hung worker's executions stay live
    cfg.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(cluster.getMemberTimeoutSeconds()));
    cfg.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    // Vert.x leaves the cluster when it closes, after the gateway stored its last records: not Hazelcast's own hook first
    cfg.setProperty("hazelcast.shutdownhook.enabled", "false");
    // members given without a port are probed on port .. port + portCount - 1 (Hazelcast tries 3 by default)
    cfg.setProperty("hazelcast.tcp.join.port.try.count", String.valueOf(cluster.getPortCount()));
    boolean any = ANY_HOST.equals(cluster.getHost());
    cfg.setProperty("hazelcast.socket.bind.any", String.valueOf(any));
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(cluster.getPort()).setPortAutoIncrement(cluster.getPortCount() > 1).setPortCount(cluster.getPortCount());
    if (!any) {
      net.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.getHost()));
    }
    if (cluster.getPublicHost() != null) {
      net.setPublicAddress(cluster.getPublicHost());
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(cluster.getMembers()));
    // a non-empty allow-list with Hazelcast's defaults off: only these classes (an empty one would filter nothing)
    cfg.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
      .setDefaultsDisabled(true)
      .setWhitelist(new ClassFilter().setPrefixes(JAVA_SERIALIZATION_ALLOWED).addClasses(VERTX_COUNTER)));
    return cfg;
  }

  /**
   * @return the cluster manager of a clustered {@code vertx}
   */
  static ClusterManager clusterManager(Vertx vertx) {
    ClusterManager manager = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    if (manager == null) {
      throw new IllegalStateException("not a clustered Vertx");
    }
    return manager;
  }

  /**
   * @return this node's id in the cluster
   */
  public static String nodeId(Vertx vertx) {
    return clusterManager(vertx).getNodeId();
  }

  /**
   * @return the ids of the cluster's current members (a local view, no network call)
   */
  public static List<String> members(Vertx vertx) {
    return clusterManager(vertx).getNodes();
  }
}
