package io.execgate.it;

import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.cluster.ClusterSupport;
import io.execgate.config.ClusterOptions;
import io.execgate.config.ClusterTlsOptions;
import io.execgate.model.WorkerAdvert;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A member of a test cluster that is neither gateway nor worker: a clustered Vert.x in the test's own
 * JVM, joined under the cluster's name, as anyone who reaches the cluster's network could start one.
 * It runs no execgate verticle; it sends whatever it likes.
 */
final class RogueMember implements AutoCloseable {

  final Vertx vertx;
  final Addresses addresses = new Addresses(Addresses.DEFAULT_PREFIX);
  /** Worker node ids to instance ids, from the adverts this member hears. */
  final Map<String, String> workers = new ConcurrentHashMap<>();
  private final MessageConsumer<WorkerAdvert> adverts;

  private RogueMember(Vertx vertx) {
    this.vertx = vertx;
    Codecs.registerAll(vertx.eventBus());
    adverts = vertx.eventBus().consumer(addresses.workerAdverts(), m -> workers.put(m.body().nodeId(),
      m.body().instanceId()));
  }

  /**
   * @param tls its event-bus TLS: a valid certificate makes it an insider, another one an outsider
   */
  static RogueMember join(String clusterName, List<Integer> memberPorts, ClusterTlsOptions tls) throws Exception {
    ClusterOptions cluster = new ClusterOptions().setEnabled(true).setName(clusterName).setHost("127.0.0.1")
      .setPort(ClusterNode.freePort()).setPortCount(1)
      .setMembers(memberPorts.stream().map(p -> "127.0.0.1:" + p).toList())
      .setTls(tls);
    return new RogueMember(ClusterSupport.configure(Vertx.builder(), new VertxOptions(), cluster).buildClustered()
      .await(60, TimeUnit.SECONDS));
  }

  /**
   * @return the node id of the worker with {@code instanceId}, once one of its adverts came
   */
  String awaitWorker(String instanceId, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      for (Map.Entry<String, String> e : workers.entrySet()) {
        if (e.getValue().equals(instanceId)) {
          return e.getKey();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no advert of worker " + instanceId + " within " + timeoutMs + " ms (heard " + workers + ")");
  }

  /**
   * @return the node ids of every other member of the cluster
   */
  List<String> others() {
    String self = ClusterSupport.nodeId(vertx);
    return ClusterSupport.members(vertx).stream().filter(n -> !n.equals(self)).toList();
  }

  @Override
  public void close() throws Exception {
    adverts.unregister();
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
