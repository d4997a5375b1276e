package io.execgate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Clustering: several gateway and worker nodes joined by Vert.x's clustered event bus, with the
 * Hazelcast cluster manager. Off by default: a node then is a whole gateway on its own.
 */
public class ClusterOptions {

  /**
   * What a node does in a cluster.
   */
  public enum Role {
    /** The HTTP API only: it dispatches executions to workers. */
    GATEWAY,
    /** Executors, scheduler, warm pool and image cache on the node's own Docker engine; no HTTP. */
    WORKER,
    /** Both: the single-node gateway, which in a cluster also takes and dispatches work. */
    ALL;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return whether the node runs executions
     */
    public boolean runsWork() {
      return this != GATEWAY;
    }

    /**
     * @return whether the node serves the HTTP API
     */
    public boolean servesHttp() {
      return this != WORKER;
    }

    public static Role of(String id) {
      for (Role r : values()) {
        if (r.id().equals(id)) {
          return r;
        }
      }
      return null;
    }
  }

  public static final boolean DEFAULT_ENABLED = false;
  public static final Role DEFAULT_ROLE = Role.ALL;
  public static final String DEFAULT_NAME = "execgate";
  public static final List<String> DEFAULT_MEMBERS = List.of("127.0.0.1");
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5801;
  public static final int DEFAULT_PORT_COUNT = 10;
  public static final int DEFAULT_EVENT_BUS_PORT = 0;
  public static final int DEFAULT_MEMBER_TIMEOUT_SECONDS = 10;
  public static final long DEFAULT_ADVERTISE_INTERVAL_MS = 1_000;
  public static final boolean DEFAULT_PREFER_IMAGE_PRESENT = true;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern MEMBER = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9_.-]+)(:[0-9]{1,5})?");

  private boolean enabled;
  private Role role;
  private String name;
  private List<String> members;
  private String host;
  private String publicHost;
  private int port;
  private int portCount;
  private int eventBusPort;
  private int memberTimeoutSeconds;
  private long advertiseIntervalMs;
  private boolean preferImagePresent;
  private ClusterTlsOptions tls;

  public ClusterOptions() {
    enabled = DEFAULT_ENABLED;
    role = DEFAULT_ROLE;
    name = DEFAULT_NAME;
    members = new ArrayList<>(DEFAULT_MEMBERS);
    host = DEFAULT_HOST;
    publicHost = null;
    port = DEFAULT_PORT;
    portCount = DEFAULT_PORT_COUNT;
    eventBusPort = DEFAULT_EVENT_BUS_PORT;
    memberTimeoutSeconds = DEFAULT_MEMBER_TIMEOUT_SECONDS;
    advertiseIntervalMs = DEFAULT_ADVERTISE_INTERVAL_MS;
    preferImagePresent = DEFAULT_PREFER_IMAGE_PRESENT;
    tls = new ClusterTlsOptions();
  }

  public ClusterOptions(ClusterOptions other) {
    this(other.toJson());
  }

  /**
   * Reads options from JSON, strictly: unknown keys and ill-typed values fail with a
   * {@link ConfigException} naming the key.
   */
  public ClusterOptions(JsonObject json) {
    this();
    JsonReader r = new JsonReader(json, "cluster", ConfigException::new);
    enabled = r.getBoolean("enabled", enabled);
    String roleId = r.getString("role", role.id());
    role = Role.of(roleId);
    if (role == null) {
      throw r.fail("role", "cluster.role must be gateway, worker or all, got '" + roleId + "'");
    }
    name = r.getString("name", name);
    members = new ArrayList<>(r.getStrings("members", members));
    host = r.getString("host", host);
    publicHost = r.getString("publicHost", publicHost);
    port = r.getInt("port", port, 1, 65535);
    portCount = r.getInt("portCount", portCount, 1, 100);
    eventBusPort = r.getInt("eventBusPort", eventBusPort, 0, 65535);
    memberTimeoutSeconds = r.getInt("memberTimeoutSeconds", memberTimeoutSeconds, 2, 600);
    advertiseIntervalMs = r.getLong("advertiseIntervalMs", advertiseIntervalMs, 100, 60_000);
    preferImagePresent = r.getBoolean("preferImagePresent", preferImagePresent);
    tls = new ClusterTlsOptions(r.child("tls"));
    r.finish();
    validate();
  }

  /**
   * Checks the options as a whole.
   *
   * @return a reference to this, so the API can be used fluently
   * @throws ConfigException naming the first key that cannot work
   */
  public ClusterOptions validate() {
    if (!enabled && role != Role.ALL) {
      throw new ConfigException("cluster.role", "cluster.role '" + role.id() + "' needs cluster.enabled=true "
        + "(EXECGATE_CLUSTER=true): a " + role.id() + " alone cannot run executions");
    }
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("cluster.name", "cluster.name must match " + NAME.pattern());
    }
    if (members.isEmpty()) {
      throw new ConfigException("cluster.members", "cluster.members needs at least one host[:port]");
    }
    for (int i = 0; i < members.size(); i++) {
      String m = members.get(i);
      // a port range (5801-5820) fails deep inside Hazelcast: refuse it here
      if (!MEMBER.matcher(m).matches()) {
        throw new ConfigException("cluster.members[" + i + "]", "cluster.members[" + i + "] must be host or host:port, "
          + "got '" + m + "'");
      }
    }
    if (host == null || !(IPV4.matcher(host).matches() || host.contains(":"))) {
      throw new ConfigException("cluster.host", "cluster.host must be an IP address of this machine (or 0.0.0.0 for "
        + "every interface), got '" + host + "'");
    }
    if ((long) port + portCount - 1 > 65535) {
      throw new ConfigException("cluster.portCount", "cluster.port + cluster.portCount goes beyond 65535");
    }
    tls.validate();
    return this;
  }

  /**
   * @return whether this node joins a cluster
   */
  public boolean isEnabled() {
    return enabled;
  }

  public ClusterOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * @return what this node does
   */
  public Role getRole() {
    return role;
  }

  public ClusterOptions setRole(Role role) {
    this.role = role;
    return this;
  }

  /**
   * @return the cluster's name: nodes join only a cluster of the same name
   */
  public String getName() {
    return name;
  }

  public ClusterOptions setName(String name) {
    this.name = name;
    return this;
  }

  /**
   * @return where to find other members, {@code host} or {@code host:port}; a host without port is
   *   tried on {@link #getPort()} and the ports after it (up to {@link #getPortCount()})
   */
  public List<String> getMembers() {
    return members;
  }

  public ClusterOptions setMembers(List<String> members) {
    this.members = new ArrayList<>(members);
    return this;
  }

  /**
   * Add a member.
   *
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions addMember(String member) {
    members.add(member);
    return this;
  }

  /**
   * @return the interface the cluster's traffic (membership and event bus) binds to
   */
  public String getHost() {
    return host;
  }

  public ClusterOptions setHost(String host) {
    this.host = host;
    return this;
  }

  /**
   * @return the address other nodes reach this one at, or {@code null} for {@link #getHost()}
   */
  public String getPublicHost() {
    return publicHost;
  }

  public ClusterOptions setPublicHost(String publicHost) {
    this.publicHost = publicHost;
    return this;
  }

  /**
   * @return the first port of the membership protocol (Hazelcast)
   */
  public int getPort() {
    return port;
  }

  public ClusterOptions setPort(int port) {
    this.port = port;
    return this;
  }

  /**
   * @return how many ports from {@link #getPort()} a node may take (the first free one), and probes on
   *   members given without a port
   */
  public int getPortCount() {
    return portCount;
  }

  public ClusterOptions setPortCount(int portCount) {
    this.portCount = portCount;
    return this;
  }

  /**
   * @return the port of the event bus's own connections, 0 for a free one
   */
  public int getEventBusPort() {
    return eventBusPort;
  }

  public ClusterOptions setEventBusPort(int eventBusPort) {
    this.eventBusPort = eventBusPort;
    return this;
  }

  /**
   * @return how long a member may be silent before the others drop it; bounds how long the
   *   executions of a hung or unreachable worker stay live
   */
  public int getMemberTimeoutSeconds() {
    return memberTimeoutSeconds;
  }

  public ClusterOptions setMemberTimeoutSeconds(int memberTimeoutSeconds) {
    this.memberTimeoutSeconds = memberTimeoutSeconds;
    return this;
  }

  /**
   * @return how often a worker tells the gateways its free slots, images and readiness (also on
   *   every change, at most every 50 ms)
   */
  public long getAdvertiseIntervalMs() {
    return advertiseIntervalMs;
  }

  public ClusterOptions setAdvertiseIntervalMs(long advertiseIntervalMs) {
    this.advertiseIntervalMs = advertiseIntervalMs;
    return this;
  }

  /**
   * @return whether dispatch prefers a worker that has the execution's image over one that would pull it
   */
  public boolean isPreferImagePresent() {
    return preferImagePresent;
  }

  public ClusterOptions setPreferImagePresent(boolean preferImagePresent) {
    this.preferImagePresent = preferImagePresent;
    return this;
  }

  /**
   * @return TLS with client certificates on the event bus (off by default)
   */
  public ClusterTlsOptions getTls() {
    return tls;
  }

  public ClusterOptions setTls(ClusterTlsOptions tls) {
    this.tls = tls;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("role", role.id())
      .put("name", name)
      .put("members", new JsonArray(new ArrayList<>(members)))
      .put("host", host)
      .put("publicHost", publicHost)
      .put("port", port)
      .put("portCount", portCount)
      .put("eventBusPort", eventBusPort)
      .put("memberTimeoutSeconds", memberTimeoutSeconds)
      .put("advertiseIntervalMs", advertiseIntervalMs)
      .put("preferImagePresent", preferImagePresent)
      .put("tls", tls.toJson());
  }

  @Override
  public String toString() {
    return toJson().put("tls", new JsonObject(tls.toString())).encode();
  }
}
