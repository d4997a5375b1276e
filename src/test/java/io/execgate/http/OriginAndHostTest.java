package io.execgate.http;

import io.vertx.core.net.HostAndPort;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OriginAndHostTest {

  @Test
  void sameOriginIsTheSameHostAndTheSamePort() {
    assertThat(OriginCheck.sameOrigin("http://127.0.0.1:8080", HostAndPort.create("127.0.0.1", 8080))).isTrue();
    assertThat(OriginCheck.sameOrigin("http://LOCALHOST:8080", HostAndPort.create("localhost", 8080))).isTrue();
    assertThat(OriginCheck.sameOrigin("http://localhost:3000", HostAndPort.create("localhost", 8080))).isFalse();
    assertThat(OriginCheck.sameOrigin("http://evil.example:8080", HostAndPort.create("127.0.0.1", 8080))).isFalse();
    assertThat(OriginCheck.sameOrigin("null", HostAndPort.create("127.0.0.1", 8080))).isFalse();
    assertThat(OriginCheck.sameOrigin("file://localhost", HostAndPort.create("localhost", -1))).isFalse();
    assertThat(OriginCheck.sameOrigin("http://localhost/path", HostAndPort.create("localhost", -1))).isFalse();
    assertThat(OriginCheck.sameOrigin("http://127.0.0.1:8080", null)).isFalse();
  }

  @Test
  void aHostWithoutPortImpliesTheDefaultPortOfTheOriginsScheme() {
    HostAndPort bare = HostAndPort.create("exec.example", -1);
    assertThat(OriginCheck.sameOrigin("http://exec.example", bare)).isTrue();
    assertThat(OriginCheck.sameOrigin("http://exec.example:80", bare)).isTrue();
    assertThat(OriginCheck.sameOrigin("https://exec.example", bare)).isTrue();
    assertThat(OriginCheck.sameOrigin("https://exec.example:443", bare)).isTrue();
    // another port on the same host is another origin when Host carries no port
    assertThat(OriginCheck.sameOrigin("http://exec.example:3000", bare)).isFalse();
    assertThat(OriginCheck.sameOrigin("http://exec.example:8080", bare)).isFalse();
    assertThat(OriginCheck.sameOrigin("http://exec.example:443", bare)).isFalse();
    assertThat(OriginCheck.sameOrigin("https://exec.example:80", bare)).isFalse();
    assertThat(OriginCheck.sameOrigin("https://exec.example:8443", bare)).isFalse();
    assertThat(OriginCheck.sameOrigin("http://localhost:3000", HostAndPort.create("localhost", -1))).isFalse();
  }

  @Test
  void anExplicitHostPortMatchesTheOriginsExplicitOrImpliedPort() {
    assertThat(OriginCheck.sameOrigin("http://exec.example", HostAndPort.create("exec.example", 80))).isTrue();
    assertThat(OriginCheck.sameOrigin("https://exec.example", HostAndPort.create("exec.example", 443))).isTrue();
    assertThat(OriginCheck.sameOrigin("https://exec.example:8443", HostAndPort.create("exec.example", 8443))).isTrue();
    assertThat(OriginCheck.sameOrigin("http://exec.example", HostAndPort.create("exec.example", 8080))).isFalse();
    assertThat(OriginCheck.sameOrigin("https://exec.example", HostAndPort.create("exec.example", 80))).isFalse();
    assertThat(OriginCheck.sameOrigin("http://exec.example", HostAndPort.create("exec.example", 443))).isFalse();
  }

  @Test
  void ipv6HostsCompareWithoutBracketsAndByPort() {
    assertThat(OriginCheck.sameOrigin("http://[::1]:8080", HostAndPort.create("[::1]", 8080))).isTrue();
    assertThat(OriginCheck.sameOrigin("http://[::1]:8080", HostAndPort.create("::1", 8080))).isTrue();
    assertThat(OriginCheck.sameOrigin("http://[::1]", HostAndPort.create("[::1]", -1))).isTrue();
    assertThat(OriginCheck.sameOrigin("https://[2001:DB8::1]", HostAndPort.create("[2001:db8::1]", -1))).isTrue();
    assertThat(OriginCheck.sameOrigin("http://[::1]:3000", HostAndPort.create("[::1]", -1))).isFalse();
    assertThat(OriginCheck.sameOrigin("http://[::1]:3000", HostAndPort.create("[::1]", 8080))).isFalse();
    assertThat(OriginCheck.sameOrigin("http://[::2]:8080", HostAndPort.create("[::1]", 8080))).isFalse();
    // as Vert.x parses a real Host header
    assertThat(OriginCheck.sameOrigin("http://[::1]:3000", HostAndPort.parseAuthority("[::1]", -1))).isFalse();
    assertThat(OriginCheck.sameOrigin("http://[::1]:8080", HostAndPort.parseAuthority("[::1]:8080", -1))).isTrue();
    assertThat(OriginCheck.sameOrigin("http://localhost:3000", HostAndPort.parseAuthority("localhost", -1))).isFalse();
  }

  @Test
  void anOpenGatewayAnswersLoopbackNamesAddressesAndConfiguredNamesOnly() {
    List<String> names = List.of("exec.internal");
    for (String ok : List.of("localhost", "LOCALHOST", "localhost.", "127.0.0.1", "10.1.2.3", "[::1]", "::1",
      "exec.internal", "EXEC.internal")) {
      assertThat(HostCheck.allowed(ok, names)).as(ok).isTrue();
    }
    for (String no : List.of("evil.example", "127.0.0.1.nip.io", "localhost.evil.example", "exec.internal.evil",
      "sub.localhost")) {
      assertThat(HostCheck.allowed(no, names)).as(no).isFalse();
    }
  }
}
