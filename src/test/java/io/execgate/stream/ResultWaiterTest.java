package io.execgate.stream;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.Codecs;
import io.execgate.model.Admission;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.Frame;
import io.execgate.request.RequestResolver;
import io.execgate.store.ExecutionStore;
import io.execgate.store.StoredRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ResultWaiterTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void whileFramesArriveTheStoreIsNotReadAndTheTerminalFrameAnswers() throws Exception {
    Codecs.registerAll(vertx.eventBus());
    Addresses addresses = new Addresses("w");
    ExecutionStore store = ExecutionStore.open(vertx, addresses.executionsMap(), 60_000).await(10, TimeUnit.SECONDS);
    ExecutionJob job = new RequestResolver(new GatewayOptions()).resolve(ExecutionRequest.script("true"), false);
    // the store says final from the start: a waiter that polled it would answer within a second
    ExecutionResult done = ExecutionResult.submitted(job).withStatus(ExecutionStatus.SUCCEEDED);
    store.put(done).await(10, TimeUnit.SECONDS);
    vertx.eventBus().<ExecutionJob>consumer(addresses.schedulerAdmit(), m -> m.reply(new Admission(job.id(), 0)));
    long t0 = System.nanoTime();
    Future<StoredRecord> waited = new ResultWaiter(vertx, addresses, store)
      .submitAndWait(job, Principal.ANONYMOUS, null, null);
    // an output frame every 200 ms for 3 s, then the terminal frame
    long[] seq = {0};
    long timer = vertx.setPeriodic(200, t -> vertx.eventBus().publish(addresses.output(job.id()),
      Frame.output(seq[0]++, 0, false, "x")));
    vertx.setTimer(3_000, t -> {
      vertx.cancelTimer(timer);
      vertx.eventBus().publish(addresses.output(job.id()), Frame.exit(seq[0]++, 0, done));
    });
    StoredRecord record = waited.await(10, TimeUnit.SECONDS);
    assertThat(record.result().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(elapsedMs).as("answered by the terminal frame, not by a read of the store").isBetween(2_900L, 4_500L);
  }
}
