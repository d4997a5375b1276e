package io.execgate.config;

import com.hazelcast.config.Config;
import io.execgate.GatewayOptions;
import io.execgate.cluster.ClusterSupport;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.PoolKey;
import io.execgate.model.PoolState;
import io.execgate.model.WorkerAdvert;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ClusterOptionsTest {

  @Test
  void offByDefaultAndReadStrictly() {
    ClusterOptions o = new ClusterOptions();
    assertThat(o.isEnabled()).isFalse();
    assertThat(o.getRole()).isEqualTo(ClusterOptions.Role.ALL);
    assertThat(new ClusterOptions(o.toJson()).toJson()).isEqualTo(o.toJson());
    ClusterOptions read = new ClusterOptions(new JsonObject().put("enabled", true).put("role", "worker")
      .put("members", new JsonArray().add("10.0.0.1").add("10.0.0.2:5801").add("[fe80::1]:5802"))
      .put("host", "10.0.0.3").put("publicHost", "203.0.113.7"));
    assertThat(read.getRole()).isEqualTo(ClusterOptions.Role.WORKER);
    assertThat(read.getRole().runsWork()).isTrue();
    assertThat(read.getRole().servesHttp()).isFalse();
    assertThat(read.getMembers()).containsExactly("10.0.0.1", "10.0.0.2:5801", "[fe80::1]:5802");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThat(key(new JsonObject().put("enabled", true).put("role", "boss"))).isEqualTo("cluster.role");
    assertThat(key(new JsonObject().put("role", "worker"))).isEqualTo("cluster.role");
    assertThat(key(new JsonObject().put("members", new JsonArray().add("127.0.0.1:5801-5820"))))
      .isEqualTo("cluster.members[0]");
    assertThat(key(new JsonObject().put("members", new JsonArray()))).isEqualTo("cluster.members");
    assertThat(key(new JsonObject().put("host", "my-host"))).isEqualTo("cluster.host");
    assertThat(key(new JsonObject().put("port", 70000))).isEqualTo("cluster.port");
    assertThat(key(new JsonObject().put("port", 65530).put("portCount", 10))).isEqualTo("cluster.portCount");
    assertThat(key(new JsonObject().put("multicast", true))).isEqualTo("cluster.multicast");
    assertThat(key(new JsonObject().put("name", "no spaces"))).isEqualTo("cluster.name");
    assertThat(catchThrowableOfType(ConfigException.class, () -> new GatewayOptions(new JsonObject()
      .put("cluster", new JsonObject().put("role", "gateway")))).getMessage()).contains("cluster.enabled");
  }

  private static String key(JsonObject json) {
    return catchThrowableOfType(ConfigException.class, () -> new ClusterOptions(json)).key();
  }

  @Test
  void hazelcastJoinsByMemberListOnlyAndStaysQuiet() {
    ClusterOptions o = new ClusterOptions().setEnabled(true).setName("c1").setHost("10.0.0.3").setPort(6000)
      .setPortCount(3).setMembers(List.of("10.0.0.1", "10.0.0.2:6001")).setMemberTimeoutSeconds(7);
    Config cfg = ClusterSupport.hazelcastConfig(o);
    var join = cfg.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1", "10.0.0.2:6001");
    assertThat(cfg.getClusterName()).isEqualTo("c1");
    assertThat(cfg.getNetworkConfig().getPort()).isEqualTo(6000);
    assertThat(cfg.getNetworkConfig().getPortCount()).isEqualTo(3);
    assertThat(cfg.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.3");
    assertThat(cfg.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(cfg.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(cfg.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("7");
    assertThat(cfg.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
    // the Vert.x map settings of default-cluster.xml are kept
    assertThat(cfg.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
    assertThat(ClusterSupport.hazelcastConfig(new ClusterOptions().setHost("0.0.0.0"))
      .getProperty("hazelcast.socket.bind.any")).isEqualTo("true");
  }

  @Test
  void advertsAndResultsCarryTheirClusterFields() {
    PoolState pools = new PoolState(true, List.of(new PoolState.Pool(new PoolKey("img:1", false), 1, 2, 0, 5, 0, null)));
    WorkerAdvert a = new WorkerAdvert("n1", "w1", 3, 99, 4, 8, 1, 3, List.of("e1", "e2"), true, null, List.of("img:1"),
      pools, false);
    assertThat(WorkerAdvert.fromJson(a.toJson())).isEqualTo(a);
    assertThat(a.freeSlots()).isEqualTo(1);
    assertThat(a.room()).isEqualTo(9);
    ExecutionResult r = new ExecutionResult("id", ExecutionStatus.SUCCEEDED, 0, null, "hi\n", "", false, false, "img:1",
      "sh", 5L, 1L, new io.execgate.model.Usage(5L, 4096L), null, 7L).withWorker("w1");
    assertThat(ExecutionResult.fromJson(r.toJson())).isEqualTo(r);
    assertThat(r.withStatus(ExecutionStatus.ERROR).worker()).isEqualTo("w1");
    assertThat(r.withoutOutput().worker()).isEqualTo("w1");
    assertThat(r.withWorker(null).toJson().containsKey("worker")).isFalse();
  }

  @Test
  void tlsNeedsBothStoresAndHidesItsPasswords() throws Exception {
    assertThat(key(new JsonObject().put("tls", new JsonObject().put("enabled", true)))).isEqualTo("cluster.tls.keyStore");
    assertThat(key(new JsonObject().put("tls", new JsonObject().put("enabled", true).put("keyStore", "/k.p12"))))
      .isEqualTo("cluster.tls.trustStore");
    assertThat(key(new JsonObject().put("tls", new JsonObject().put("keystore", "/k.p12")))).isEqualTo("cluster.tls.keystore");
    ClusterOptions o = new ClusterOptions(new JsonObject().put("tls", new JsonObject().put("enabled", true)
      .put("keyStore", "/k.p12").put("keyStorePassword", "s3cret").put("trustStore", "/t.jks")
      .put("trustStorePassword", "s3cret2")));
    assertThat(new ClusterOptions(o.toJson()).toJson()).isEqualTo(o.toJson());
    assertThat(o.toString()).doesNotContain("s3cret").contains("/k.p12");
    assertThat(ClusterTlsOptions.type("/t.jks")).isEqualTo("JKS");
    assertThat(ClusterTlsOptions.type("/k.p12")).isEqualTo("PKCS12");
    // a store that cannot be opened is one line naming the key, before anything starts
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> o.getTls().check());
    assertThat(e.key()).isEqualTo("cluster.tls.keyStore");
    assertThat(e.getMessage()).contains("/k.p12 cannot be read");
  }

  @Test
  void hazelcastDeserializesJavaObjectsOnlyFromItsAllowList() {
    var filter = ClusterSupport.hazelcastConfig(new ClusterOptions()).getSerializationConfig()
      .getJavaSerializationFilterConfig();
    assertThat(filter.isDefaultsDisabled()).isTrue();
    // an empty allow-list would filter nothing at all
    assertThat(filter.getWhitelist().isEmpty()).isFalse();
    assertThat(filter.getWhitelist().isListed("java.lang.IllegalStateException")).isTrue();
    assertThat(filter.getWhitelist().isListed("com.hazelcast.core.HazelcastException")).isTrue();
    assertThat(filter.getWhitelist().isListed("javax.management.BadAttributeValueExpException")).isFalse();
    assertThat(filter.getWhitelist().isListed("com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl")).isFalse();
    assertThat(filter.getWhitelist().isListed("org.apache.commons.collections.functors.InvokerTransformer")).isFalse();
    assertThat(filter.getWhitelist().isListed("io.vertx.core.json.JsonObject")).isFalse();
    // the quotas' counter ships its updates as serializable lambdas of this class, and only this one
    assertThat(filter.getWhitelist().isListed("io.vertx.spi.cluster.hazelcast.impl.HazelcastCounter")).isTrue();
    assertThat(filter.getWhitelist().isListed("io.vertx.spi.cluster.hazelcast.impl.HazelcastLock")).isFalse();
  }
}
