package io.execgate.request;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.CompareMode;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.TestCase;
import io.execgate.model.TestSuite;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The rules of test cases, for typed requests as for JSON ones, and on a cluster worker's recheck.
 */
class TestRulesTest {

  private final GatewayOptions options = new GatewayOptions();
  private final RequestResolver resolver = new RequestResolver(options);

  private static TestSuite suite(TestCase... tests) {
    return new TestSuite(List.of(tests), CompareMode.TRIM, false);
  }

  private static TestCase simple() {
    return new TestCase(null, "1", List.of(), "1", null);
  }

  private void assertRefused(ExecutionRequest request, boolean interactive, ErrorCode code, String field) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> resolver.resolve(request, interactive));
    assertThat(e).isNotNull();
    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
    assertThat(e.field()).isEqualTo(field);
  }

  @Test
  void testsAreCheckedAndKeptByTheJobAndItsRecheck() {
    ExecutionRequest request = ExecutionRequest.script("x").withLanguage("c").withTests(suite(simple()));
    ExecutionJob job = resolver.resolve(request, false);
    assertThat(job.tests()).isEqualTo(request.tests());
    assertThat(resolver.recheck(job, new ArrayList<>()).tests()).isEqualTo(request.tests());
  }

  @Test
  void tooManyTestsTooMuchExpectedOutputOrTooLongADeadlineNameTheField() {
    ExecutionRequest base = ExecutionRequest.script("x").withLanguage("c");
    List<TestCase> many = new ArrayList<>();
    for (int i = 0; i <= options.getHttp().getMaxTests(); i++) {
      many.add(simple());
    }
    assertRefused(base.withTests(new TestSuite(many, null, false)), false, ErrorCode.INVALID_REQUEST, "tests");
    String big = "y".repeat(options.getHttp().getMaxStdinBytes() / 2 + 1);
    assertRefused(base.withTests(suite(new TestCase(null, big, List.of(), null, null),
      new TestCase(null, null, List.of(), big, null))), false, ErrorCode.PAYLOAD_TOO_LARGE, "tests[1].expectedStdout");
    assertRefused(base.withTests(suite(simple(), new TestCase(null, null, List.of(), null, 0L))), false,
      ErrorCode.INVALID_REQUEST, "tests[1].timeoutMs");
    assertRefused(base.withTests(suite(new TestCase(null, null, List.of(), null,
      options.getExecutor().getMaxLimits().timeoutMs() + 1))), false, ErrorCode.LIMIT_EXCEEDED, "tests[0].timeoutMs");
    assertRefused(base.withTests(suite(new TestCase(null, null, List.of("a\0b"), null, null))), false,
      ErrorCode.INVALID_REQUEST, "tests[0].args[0]");
  }

  @Test
  void testsDoNotMixWithInteractiveStdinNorTheRequestsStdinOrArgs() {
    ExecutionRequest judged = ExecutionRequest.script("x").withLanguage("c").withTests(suite(simple()));
    assertRefused(judged, true, ErrorCode.INVALID_REQUEST, "tests");
    assertRefused(judged.withStdin("x"), false, ErrorCode.INVALID_REQUEST, "stdin");
    assertRefused(judged.withArgs(List.of("a")), false, ErrorCode.INVALID_REQUEST, "args");
  }
}
