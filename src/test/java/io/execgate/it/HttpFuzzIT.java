package io.execgate.it;

import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throws malformed, mutated and oversized input at the HTTP API. Every answer is a 4xx with the
 * JSON error shape (or an acceptance, when a mutation happens to be valid), never a 500 or a hang,
 * and no event loop is ever blocked.
 */
class HttpFuzzIT extends GatewayITBase {

  private static final long SEED = 20261128L;
  private static final String[] SEEDS = {
    "{\"script\":\"true\"}",
    "{\"script\":\"true\",\"stdin\":\"x\",\"args\":[\"a\"],\"env\":{\"A\":\"b\"}}",
    "{\"files\":[{\"name\":\"main.sh\",\"content\":\"true\",\"encoding\":\"utf8\"}],\"language\":\"sh\"}",
    "{\"script\":\"true\",\"limits\":{\"timeoutMs\":1000,\"memoryMb\":64,\"cpus\":0.5,\"pids\":32,\"outputBytes\":10}}",
  };
  private static final String[] VALUES = {"null", "true", "-1", "0", "1e999999", "-1e-999999", "123456789012345678901234567890",
    "\"\"", "\"\\u0000\"", "\"\\ud800\"", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "\"" + "a".repeat(5000) + "\"", "1.5", "NaN"};

  private BlockedThreadWatch watch;

  @Override
  protected VertxOptions vertxOptions() {
    return new VertxOptions()
      .setBlockedThreadCheckInterval(100)
      .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
      .setMaxEventLoopExecuteTime(1_000)
      .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setWarningExceptionTime(1_000)
      .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
  }

  @BeforeAll
  void watchEventLoops() throws InterruptedException {
    // class loading at start-up may hold a loop for a moment; watch from a warmed-up gateway on
    for (String body : SEEDS) {
      send(HttpMethod.POST, "/v1/executions", "application/json", Buffer.buffer(body + "x"));
    }
    Thread.sleep(500);
    watch = BlockedThreadWatch.install();
  }

  @AfterAll
  void noEventLoopWasBlocked() {
    watch.close();
    assertThat(watch.eventLoopWarnings()).isEmpty();
  }

  private HttpResponse<Buffer> send(HttpMethod method, String uri, String contentType, Buffer body) {
    var request = client.request(method, uri).timeout(10_000);
    if (contentType != null) {
      request.putHeader("content-type", contentType);
    }
    return await(body == null ? request.send() : request.sendBuffer(body));
  }

  private static void assertWellFormedAnswer(String input, HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as("status for %s", abbreviate(input)).isNotEqualTo(500).isLessThan(500);
    if (r.statusCode() >= 400) {
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).as(abbreviate(input)).isNotBlank();
      assertThat(error.getString("message")).isNotBlank();
    } else {
      assertThat(r.statusCode()).isIn(200, 202);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  @Test
  void mutatedBodies() {
    Random random = new Random(SEED);
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      byte[] body = mutate(SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.UTF_8), random);
      long t0 = System.nanoTime();
      HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/executions", "application/json", Buffer.buffer(body));
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
      String input = new String(body, StandardCharsets.ISO_8859_1);
      assertWellFormedAnswer(input, r);
      if (r.statusCode() == 202) {
        accepted.add(r.bodyAsJsonObject().getString("id"));
      }
    }
    // whatever was accepted runs to a final state
    for (String id : accepted) {
      try {
        awaitStatus(id, GatewayITBase::isFinal, 60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static byte[] mutate(byte[] seed, Random random) {
    String s = new String(seed, StandardCharsets.UTF_8);
    switch (random.nextInt(8)) {
      case 0 -> {
        int at = random.nextInt(s.length());
        return (s.substring(0, at) + s.substring(at + 1)).getBytes(StandardCharsets.UTF_8);
      }
      case 1 -> {
        byte[] out = new byte[seed.length + 1];
        int at = random.nextInt(seed.length);
        System.arraycopy(seed, 0, out, 0, at);
        out[at] = (byte) random.nextInt(256);
        System.arraycopy(seed, at, out, at + 1, seed.length - at);
        return out;
      }
      case 2 -> {
        return s.substring(0, random.nextInt(s.length())).getBytes(StandardCharsets.UTF_8);
      }
      case 3 -> {
        // replace the first value of a random key with a value of another type
        JsonObject json = new JsonObject(s);
        List<String> keys = new ArrayList<>(json.fieldNames());
        String key = keys.get(random.nextInt(keys.size()));
        String replaced = json.encode().replaceFirst("\"" + key + "\":(\"[^\"]*\"|[^,}\\]]+|\\[[^\\]]*\\]|\\{[^}]*\\})",
          "\"" + key + "\":" + VALUES[random.nextInt(VALUES.length)]);
        return replaced.getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> {
        return s.replaceFirst("\\{", "{\"unknown" + random.nextInt(100) + "\":1,").getBytes(StandardCharsets.UTF_8);
      }
      case 5 -> {
        String value = VALUES[random.nextInt(VALUES.length)];
        return s.replaceFirst("\"limits\":\\{", "\"limits\":{\"timeoutMs\":" + value + ",").replaceFirst("\"script\":\"true\"",
          "\"script\":" + value).getBytes(StandardCharsets.UTF_8);
      }
      case 6 -> {
        int depth = 1 + random.nextInt(3000);
        return ("{\"script\":\"true\",\"args\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        byte[] out = seed.clone();
        for (int k = 0; k < 3; k++) {
          out[random.nextInt(out.length)] = (byte) (0x80 + random.nextInt(128));
        }
        return out;
      }
    }
  }

  @Test
  void structuralExtremes() {
    List<String> inputs = List.of(
      "{\"script\":\"true\",\"args\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}",
      "{\"script\":\"true\",\"limits\":{\"timeoutMs\":" + "9".repeat(5_000) + "}}",
      "{\"script\":\"true\",\"env\":{" + String.join(",", java.util.stream.IntStream.range(0, 20_000)
        .mapToObj(i -> "\"K" + i + "\":\"v\"").toList()) + "}}",
      "{\"script\":\"true\",\"script\":\"false\"}",
      "{\"script\":\"true\",\"args\":[\"" + "\\u0000".repeat(1000) + "\"]}",
      "\uFEFF{\"script\":\"true\"}",
      "{\"script\":\"true\"} trailing",
      "{\"script\":\"true\"}{\"script\":\"true\"}",
      " ",
      "\"just a string\"",
      "{\"files\":[" + String.join(",", java.util.Collections.nCopies(1000, "{\"name\":\"a\",\"content\":\"b\"}")) + "]}");
    for (String input : inputs) {
      HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/executions", "application/json", Buffer.buffer(input));
      assertWellFormedAnswer(input, r);
      assertThat(r.statusCode()).as(abbreviate(input)).isBetween(400, 499);
    }
  }

  @Test
  void oddRequestsOutsideTheBody() {
    record Case(HttpMethod method, String uri, String contentType) {
    }
    List<Case> cases = List.of(
      new Case(HttpMethod.GET, "/v1/executions/%00", null),
      new Case(HttpMethod.GET, "/v1/executions/..%2F..%2Fetc%2Fpasswd", null),
      new Case(HttpMethod.GET, "/v1/executions/" + "a".repeat(3000), null),
      new Case(HttpMethod.DELETE, "/v1/executions/%ZZ", null),
      new Case(HttpMethod.POST, "/v1/executions", "application/json; charset=latin1"),
      new Case(HttpMethod.POST, "/v1/executions", "multipart/form-data; boundary=x"),
      new Case(HttpMethod.PATCH, "/v1/executions/x", null),
      new Case(HttpMethod.GET, "/v1/executions?wait=%%%", null),
      new Case(HttpMethod.OPTIONS, "/v1/executions", null));
    for (Case c : cases) {
      HttpResponse<Buffer> r = send(c.method(), c.uri(), c.contentType(),
        c.method() == HttpMethod.POST ? Buffer.buffer("{\"script\":\"true\"}") : null);
      assertWellFormedAnswer(c.toString(), r);
    }
  }
}
