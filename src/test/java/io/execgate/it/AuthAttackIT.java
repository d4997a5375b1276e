package io.execgate.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guessing keys against the runnable jar: an address that sends wrong keys as fast as it can gets
 * 429 with Retry-After once its budget of failures is spent (for tokens too, and for its own valid
 * key: nothing it sends is looked at meanwhile), while another address is not concerned and the
 * victim's work goes on.
 */
class AuthAttackIT {

  /** The attacker's source address: another loopback address than the victim's. */
  private static final String ATTACKER = "127.0.0.2";
  private static final int BUDGET = 30;
  private static final Pattern RETRY_AFTER = Pattern.compile("(?im)^retry-after: (\\d+)");

  private static String request(int port, String source, String path, String bearer) throws IOException {
    return RawHttp.get(port, source, path, bearer);
  }

  private static int status(String head) {
    int status = RawHttp.status(head);
    assertThat(status).as(head).isPositive();
    return status;
  }

  @Test
  void wrongKeysFromOneAddressAreThrottledWhileAnotherAddressAndTheVictimGoOn() throws Exception {
    try (AttackedGateway gateway = new AttackedGateway(Map.of());
         AttackedGateway.HealthProbe probe = gateway.probe()) {
      List<String> answers = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < 150; i++) {
        answers.add(request(gateway.port, ATTACKER, "/v1/runtimes", AttackedGateway.randomKey()));
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      List<Integer> statuses = answers.stream().map(AuthAttackIT::status).toList();
      long unauthorized = statuses.stream().filter(s -> s == 401).count();
      long throttled = statuses.stream().filter(s -> s == 429).count();
      // the budget, plus what refilled while the attack ran (one per 2 s)
      assertThat(unauthorized).as("401s of 150 wrong keys in %d ms", ms).isBetween((long) BUDGET, BUDGET + 1 + ms / 2000);
      assertThat(unauthorized + throttled).isEqualTo(150);
      assertThat(statuses.subList(0, BUDGET)).containsOnly(401);
      String last = answers.get(answers.size() - 1);
      Matcher retry = RETRY_AFTER.matcher(last);
      assertThat(retry.find()).as(last).isTrue();
      assertThat(Integer.parseInt(retry.group(1))).isBetween(1, 60);

      // while throttled nothing the address sends is looked at: a token, its own valid key
      assertThat(status(request(gateway.port, ATTACKER, "/v1/ws?token=egt_" + AttackedGateway.randomKey(), null)))
        .isEqualTo(429);
      assertThat(status(request(gateway.port, ATTACKER, "/v1/runtimes", gateway.attackerKey))).isEqualTo(429);
      // what needs no key still answers it
      assertThat(status(request(gateway.port, ATTACKER, "/health", null))).isEqualTo(200);

      // another address: its own wrong key is a 401, its right key works, and the victim runs
      assertThat(status(request(gateway.port, "127.0.0.1", "/v1/runtimes", AttackedGateway.randomKey())))
        .isEqualTo(401);
      assertThat(status(request(gateway.port, "127.0.0.1", "/v1/runtimes", gateway.victimKey))).isEqualTo(200);
      gateway.victimEchoWithin(10_000);
      probe.assertAllWithin(500);
      gateway.assertNoOutOfMemoryError();
      gateway.assertAllRecordsFinal(10_000);
      gateway.assertNoExecutionContainerLeft(10_000);
    }
  }
}
