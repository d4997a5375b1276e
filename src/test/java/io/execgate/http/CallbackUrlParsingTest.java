package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.error.GatewayException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code callbackUrl} in a submit: carried to the API (which checks it against the policy with the
 * caller's key), refused on an interactive socket, and typed strictly.
 */
class CallbackUrlParsingTest {

  private final ExecutionRequestParser parser = new ExecutionRequestParser(new GatewayOptions());

  @Test
  void aSubmitCarriesItsCallbackUrl() {
    ExecutionRequestParser.Submit submit = parser.parse(new JsonObject().put("script", "true")
      .put("callbackUrl", "https://hooks.example.com/x"), false);
    assertThat(submit.callbackUrl()).isEqualTo("https://hooks.example.com/x");
    assertThat(parser.parse(new JsonObject().put("script", "true"), false).callbackUrl()).isNull();
  }

  @Test
  void anInteractiveSocketTakesNoCallbackAndTheTypeIsChecked() {
    GatewayException interactive = catchThrowableOfType(GatewayException.class, () -> parser.parse(new JsonObject()
      .put("script", "true").put("callbackUrl", "https://hooks.example.com/x"), true));
    assertThat(interactive.field()).isEqualTo("callbackUrl");
    GatewayException typed = catchThrowableOfType(GatewayException.class, () -> parser.parse(new JsonObject()
      .put("script", "true").put("callbackUrl", 42), false));
    assertThat(typed.field()).isEqualTo("callbackUrl");
  }
}
