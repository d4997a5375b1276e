/**
 * Running as a cluster on Hazelcast: {@link io.execgate.cluster.ClusterSupport} (a clustered
 * Vertx, Java deserialization allow-list, TLS), the gateway's {@link io.execgate.cluster.DispatcherVerticle}
 * (which worker runs a job, lost executions; with {@link io.execgate.cluster.SessionRouter}, which worker
 * holds a session and {@code 410 worker_lost} once it left) and the worker's
 * {@link io.execgate.cluster.WorkerAgentVerticle} (adverts, re-checking a job on arrival). May use the
 * API's options, {@code request}, {@code session}, {@code image}, {@code store}, {@code bus}, {@code metrics},
 * {@code config}, {@code model}, {@code error}; only {@code impl} and {@code cli} use it.
 */
package io.execgate.cluster;
