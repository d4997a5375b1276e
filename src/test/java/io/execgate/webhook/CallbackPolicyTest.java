package io.execgate.webhook;

import io.execgate.GatewayOptions;
import io.execgate.auth.ApiKey;
import io.execgate.config.ConfigException;
import io.execgate.config.HostGlob;
import io.execgate.config.WebhookOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallbackPolicyTest {

  private static final String SECRET = "0123456789abcdef0123";

  private static CallbackPolicy policy(String... allow) {
    GatewayOptions options = new GatewayOptions();
    options.setWebhooks(new WebhookOptions().setSecret(SECRET).setAllow(List.of(allow)));
    return new CallbackPolicy(options);
  }

  private static ErrorCode refusal(CallbackPolicy policy, String url) {
    try {
      policy.check(url, "k", "callbackUrl");
      return null;
    } catch (GatewayException e) {
      assertThat(e.field()).isEqualTo("callbackUrl");
      return e.code();
    }
  }

  @Test
  void anEmptyAllowListRefusesEveryCallback() {
    assertThat(refusal(policy(), "https://hooks.example.com/x")).isEqualTo(ErrorCode.CALLBACK_NOT_ALLOWED);
  }

  @Test
  void hostGlobsMatchLabelByLabelAndPortsExactly() {
    HostGlob one = HostGlob.parse("*.example.com");
    assertThat(one.matches("hooks.example.com", 443, 443)).isTrue();
    assertThat(one.matches("a.b.example.com", 443, 443)).as("* stays in one label").isFalse();
    assertThat(one.matches("hooks.example.com.evil.io", 443, 443)).isFalse();
    assertThat(one.matches("hooks.example.com", 8443, 443)).as("no port: the default port only").isFalse();
    assertThat(HostGlob.parse("**.example.com").matches("a.b.example.com", 443, 443)).isTrue();
    assertThat(HostGlob.parse("hooks.example.com:8443").matches("HOOKS.example.com", 8443, 443)).isTrue();
    assertThat(HostGlob.parse("hooks.example.com:8443").matches("hooks.example.com", 443, 443)).isFalse();
    assertThat(HostGlob.parse("127.0.0.1:*").matches("127.0.0.1", 1234, 80)).isTrue();
    assertThat(HostGlob.parse("[::1]:*").matches("[::1]", 1234, 80)).isTrue();
    assertThat(HostGlob.parse("hook?.example.com").matches("hook1.example.com", 443, 443)).isTrue();
    assertThat(HostGlob.parse("*.example.com").explicit()).isFalse();
    assertThat(HostGlob.parse("localhost:*").explicit()).isTrue();
    assertThatThrownBy(() -> HostGlob.parse("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostGlob.parse("a:0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WebhookOptions(new JsonObject().put("allow", List.of("http://x"))))
      .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks.allow[0]");
  }

  @Test
  void malformedOrUnsafeUrlsAreRefusedNamingTheField() {
    CallbackPolicy p = policy("**:*");
    assertThat(refusal(p, "ftp://hooks.example.com/x")).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "file:///etc/passwd")).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "https://user:pw@hooks.example.com/x")).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "https://hooks.example.com/" + "a".repeat(3000))).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "https:///nohost")).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "not a url")).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "https://hooks.example.com/x?y=1")).isNull();
  }

  @Test
  void addressLiteralsOfPrivateClassesNeedAnExplicitGlob() {
    CallbackPolicy wild = policy("**:*");
    for (String url : List.of("http://127.0.0.1:8080/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/", "http://100.64.0.1/", "http://[::1]:80/",
      "http://[fe80::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/")) {
      assertThat(refusal(wild, url)).as(url).isEqualTo(ErrorCode.CALLBACK_NOT_ALLOWED);
    }
    assertThat(refusal(wild, "http://93.184.216.34/")).isNull();
    CallbackPolicy named = policy("127.0.0.1:*");
    assertThat(refusal(named, "http://127.0.0.1:8080/hook")).isNull();
    assertThat(refusal(named, "http://127.0.0.2:8080/hook")).isEqualTo(ErrorCode.CALLBACK_NOT_ALLOWED);
  }

  @Test
  void everyResolvedAddressIsCheckedAtDelivery() throws Exception {
    CallbackPolicy p = policy("*.example.com");
    CallbackPolicy.Target target = p.check("https://hooks.example.com/x", "k", "callbackUrl");
    InetAddress pub = InetAddress.getByName("93.184.216.34");
    InetAddress loop = InetAddress.getByName("127.0.0.1");
    assertThat(CallbackPolicy.refusal(target, List.of(pub))).isNull();
    // a name that also resolves to loopback (rebinding, or a second record) is refused whole
    assertThat(CallbackPolicy.refusal(target, List.of(pub, loop))).contains("loopback");
    assertThat(CallbackPolicy.refusal(target, List.of())).contains("no address");
    CallbackPolicy.Target named = policy("localhost:*").check("http://localhost:1234/", "k", "callbackUrl");
    assertThat(CallbackPolicy.refusal(named, List.of(loop))).isNull();
  }

  @Test
  void addressClasses() throws Exception {
    assertThat(CallbackPolicy.forbidden(InetAddress.getByName("127.0.0.5"))).isEqualTo("loopback");
    assertThat(CallbackPolicy.forbidden(InetAddress.getByName("169.254.169.254"))).isEqualTo("link-local");
    assertThat(CallbackPolicy.forbidden(InetAddress.getByName("10.0.0.1"))).isEqualTo("private");
    assertThat(CallbackPolicy.forbidden(InetAddress.getByName("2002:7f00:1::"))).isEqualTo("loopback");
    assertThat(CallbackPolicy.forbidden(InetAddress.getByName("8.8.8.8"))).isNull();
    assertThat(CallbackPolicy.forbidden(InetAddress.getByName("2606:4700::1111"))).isNull();
  }

  @Test
  void theKeysSecretWinsOverTheDefaultAndNoSecretRefusesCallbacks() {
    GatewayOptions options = new GatewayOptions();
    options.getAuth().addKey(new ApiKey("k", "0".repeat(64), List.of(), List.of(), 1, 1, 1, 1, false,
      "key-secret-0123456789"));
    options.setWebhooks(new WebhookOptions().setAllow(List.of("**:*")));
    CallbackPolicy p = new CallbackPolicy(options);
    assertThat(p.secretFor("k")).isEqualTo("key-secret-0123456789");
    assertThat(p.secretFor("other")).isNull();
    assertThatThrownBy(() -> p.check("https://hooks.example.com/", "other", "callbackUrl"))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CALLBACK_NOT_ALLOWED));
    options.getWebhooks().setSecret(SECRET);
    assertThat(new CallbackPolicy(options).secretFor("other")).isEqualTo(SECRET);
  }
}
