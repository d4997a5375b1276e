package io.execgate.cluster;

import io.execgate.model.ExecutionJob;
import io.vertx.core.MultiMap;

/**
 * An execution this gateway dispatched that has not started on its worker yet: the job is kept so
 * that it can go to another worker if this one is lost.
 *
 * @param job       the job
 * @param headers   the admit's headers (its owner and quota)
 * @param worker    the node id of the worker that admitted it
 * @param advertSeq the worker's advert seq at admission: later adverts list it while it waits
 */
record Pending(ExecutionJob job, MultiMap headers, String worker, long advertSeq) {
}
