package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BindHostTest {

  @Test
  void withoutKeysOnlyLoopbackIsServedUnlessTheOperatorAllowsAnOpenApi() {
    GatewayOptions options = new GatewayOptions();
    options.getHttp().setHost("0.0.0.0");
    assertThat(HttpGatewayVerticle.bindHost(options)).isEqualTo("127.0.0.1");
    options.getAuth().setAllowOpen(true);
    assertThat(HttpGatewayVerticle.bindHost(options)).isEqualTo("0.0.0.0");
    options.getAuth().setAllowOpen(false).addKey(new ApiKey("k", ApiKey.hash(ApiKey.generate()), List.of(), List.of(), 0, 0));
    assertThat(HttpGatewayVerticle.bindHost(options)).isEqualTo("0.0.0.0");
    GatewayOptions loopback = new GatewayOptions();
    loopback.getHttp().setHost("127.0.0.1");
    assertThat(HttpGatewayVerticle.bindHost(loopback)).isEqualTo("127.0.0.1");
  }
}
