package io.execgate.executor.launcher;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SignalQueueTest {

  private final List<String> calls = new ArrayList<>();
  private final List<Promise<Void>> inFlight = new ArrayList<>();
  private final SignalQueue queue = new SignalQueue(signal -> {
    calls.add(signal);
    Promise<Void> p = Promise.promise();
    inFlight.add(p);
    return p.future();
  });

  @Test
  void oneCallInFlightAndRepeatsOfAWaitingSignalMerged() {
    Future<Void> first = queue.send("INT");
    for (int i = 0; i < 1_500; i++) {
      queue.send("INT");
      queue.send("USR1");
    }
    // one delivery under way; one INT and one USR1 wait, every other message merged into them
    assertThat(calls).containsExactly("INT");
    assertThat(queue.merged()).isEqualTo(2 * 1_500 - 2);
    inFlight.get(0).complete();
    assertThat(first.succeeded()).isTrue();
    assertThat(calls).containsExactly("INT", "INT");
    inFlight.get(1).complete();
    assertThat(calls).containsExactly("INT", "INT", "USR1");
    inFlight.get(2).complete();
    assertThat(calls).hasSize(3);
    assertThat(queue.delivered()).isEqualTo(3);
  }

  @Test
  void aFailedDeliveryFailsItsSenderAndTheNextGoesOn() {
    Future<Void> term = queue.send("TERM");
    Future<Void> hup = queue.send("HUP");
    inFlight.get(0).fail(new GatewayException(ErrorCode.CAPACITY_EXHAUSTED, "full"));
    assertThat(term.failed()).isTrue();
    assertThat(calls).containsExactly("TERM", "HUP");
    inFlight.get(1).complete();
    assertThat(hup.succeeded()).isTrue();
  }

  @Test
  void closingFailsWhatWaitsAndWhatComesLater() {
    queue.send("INT");
    Future<Void> waiting = queue.send("QUIT");
    queue.close();
    assertThat(waiting.failed()).isTrue();
    assertThat(waiting.cause()).hasMessageContaining("not running");
    assertThat(queue.send("INT").failed()).isTrue();
    inFlight.get(0).complete();
    assertThat(calls).containsExactly("INT");
  }
}
