package io.execgate.request;

import io.execgate.config.HttpOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.TestCase;
import io.execgate.model.TestSuite;

import java.nio.charset.StandardCharsets;

/**
 * The rules of a request's test cases: how many (400 beyond {@code http.maxTests}), their args (as
 * the request's), their deadline (at least 1 ms, 422 above the operator's maximum {@code timeoutMs}),
 * and their stdin and expected stdout, which together count against {@code http.maxStdinBytes}
 * (413 beyond it): the gateway holds every expectation until its test ends.
 */
final class TestRules {

  private final HttpOptions caps;
  private final long maxTimeoutMs;

  TestRules(HttpOptions caps, long maxTimeoutMs) {
    this.caps = caps;
    this.maxTimeoutMs = maxTimeoutMs;
  }

  void check(TestSuite suite) {
    if (suite.tests().isEmpty()) {
      throw GatewayException.invalid("tests", "tests must not be empty");
    }
    if (suite.tests().size() > caps.getMaxTests()) {
      throw GatewayException.invalid("tests", "at most " + caps.getMaxTests() + " tests are allowed, got "
        + suite.tests().size());
    }
    long bytes = 0;
    for (int i = 0; i < suite.tests().size(); i++) {
      TestCase t = suite.tests().get(i);
      String path = "tests[" + i + "]";
      if (t.args().size() > caps.getMaxArgs()) {
        throw GatewayException.invalid(path + ".args", "at most " + caps.getMaxArgs() + " args are allowed");
      }
      for (int a = 0; a < t.args().size(); a++) {
        if (t.args().get(a).indexOf('\0') >= 0) {
          throw GatewayException.invalid(path + ".args[" + a + "]", path + ".args[" + a
            + "] must not contain NUL characters");
        }
      }
      if (t.timeoutMs() != null && t.timeoutMs() < 1) {
        throw GatewayException.invalid(path + ".timeoutMs", path + ".timeoutMs must be at least 1, got "
          + t.timeoutMs());
      }
      if (t.timeoutMs() != null && t.timeoutMs() > maxTimeoutMs) {
        throw new GatewayException(ErrorCode.LIMIT_EXCEEDED, path + ".timeoutMs is " + t.timeoutMs()
          + "; the maximum is " + maxTimeoutMs, path + ".timeoutMs");
      }
      bytes += utf8(t.stdin());
      checkBytes(bytes, path + ".stdin");
      bytes += utf8(t.expectedStdout());
      checkBytes(bytes, path + ".expectedStdout");
    }
  }

  private void checkBytes(long bytes, String field) {
    if (bytes > caps.getMaxStdinBytes()) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "the tests' stdin and expectedStdout take more than "
        + caps.getMaxStdinBytes() + " bytes together", field);
    }
  }

  /**
   * @return the bytes the tests' stdin take in the sandbox
   */
  static long stdinBytes(TestSuite suite) {
    return suite == null ? 0 : suite.tests().stream().mapToLong(t -> utf8(t.stdin())).sum();
  }

  private static long utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
