package io.execgate.image;

import io.execgate.config.ConfigException;
import io.execgate.config.ImageCacheOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ImagePolicyTest {

  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  private static RuntimeSpec runtime(String image) {
    return new RuntimeSpec("sh", List.of(), "1", image, "main.sh", null, "sh {file}", 1000, false);
  }

  private static ImagePolicy policy(String registry, String... globs) {
    ImageCacheOptions options = new ImageCacheOptions().setRegistry(registry).setAllow(List.of(globs));
    return new ImagePolicy(List.of(runtime("execgate/busybox:1.35"), runtime("reg.example/py:3")), options);
  }

  private static ErrorCode refusal(ImagePolicy policy, String image) {
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> policy.check(image));
    assertThat(e).as("%s should be refused", image).isNotNull();
    assertThat(e.field()).isEqualTo("image");
    return e.code();
  }

  @Test
  void globsMatchWholeNamesWithStarAndQuestionMark() {
    ImagePolicy p = policy(null, "team/*", "tools/lint:1.?", "exact/name:2", "deep/**");
    assertThat(p.check("team/a:1")).isEqualTo("team/a:1");
    // * stays within one path component, ** crosses them
    assertThat(refusal(p, "team/deep/path:x")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(p.check("deep/a/b/c:x")).isEqualTo("deep/a/b/c:x");
    assertThat(p.check("tools/lint:1.4")).isEqualTo("tools/lint:1.4");
    assertThat(p.check("exact/name:2")).isEqualTo("exact/name:2");
    assertThat(refusal(p, "tools/lint:1.10")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "exact/name:3")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "other.example/team/a:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "xteam/a:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
  }

  @Test
  void noWildcardCrossesTheRegistryBoundary() {
    ImagePolicy p = policy(null, "*.corp.example/*", "registry.corp.example:5000/team/*", "tools/*:1.*");
    assertThat(p.check("x.corp.example/tool:1")).isEqualTo("x.corp.example/tool:1");
    assertThat(p.check("registry.corp.example:5000/team/tool:2")).isEqualTo("registry.corp.example:5000/team/tool:2");
    // the attack names: a registry of the attacker's, the allowed suffix moved into the path
    assertThat(refusal(p, "evil.io/x.corp.example/pwn:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "evil.io/registry.corp.example:5000/team/pwn")).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "evil.io/registry.corp.example/team/pwn:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "x.corp.example.evil.io/tool:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "x.corp.example:6000/tool:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "x.corp.example/a/pwn:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "registry.corp.example:5000/team/sub/pwn:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    // a glob without registry part does not reach images of other registries, whatever their path
    assertThat(p.check("tools/lint:1.4")).isEqualTo("tools/lint:1.4");
    assertThat(refusal(p, "evil.io/tools/lint:1.4")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(p, "tools/lint:2.0")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
  }

  @Test
  void aRegistryPartOfOnlyWildcardsIsAConfigError() {
    for (String glob : List.of("*/*", "**/pwn:1", "*:5000/team/*", "?*/x", "*/**")) {
      assertThatThrownBy(() -> new ImageCacheOptions(new JsonObject().put("allow", new JsonArray().add("team/*")
        .add(glob))))
        .as(glob).isInstanceOf(ConfigException.class)
        .hasMessageContaining("images.allow[1]").hasMessageContaining("every registry");
    }
    // a glob without a registry part is relative to the configured registry, never every registry
    ImagePolicy relative = policy("reg.example:5000", "**");
    assertThat(relative.check("team/deep/tool:1")).isEqualTo("reg.example:5000/team/deep/tool:1");
    assertThat(refusal(relative, "evil.io/x:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
  }

  @Test
  void regexCharactersInGlobsAreLiteral() {
    ImagePolicy p = policy(null, "a.b/c_d:1");
    assertThat(p.check("a.b/c_d:1")).isEqualTo("a.b/c_d:1");
    assertThat(refusal(p, "axb/c_d:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
  }

  @Test
  void aNameWithoutTagMeansLatest() {
    ImagePolicy p = policy(null, "alpine:*");
    assertThat(p.check("alpine")).isEqualTo("alpine:latest");
  }

  @Test
  void theRegistryPrefixesUnqualifiedNamesAndGlobsMatchEitherForm() {
    ImagePolicy p = policy("reg.example:5000", "team/*", "other.example/*");
    assertThat(p.check("team/tool:1")).isEqualTo("reg.example:5000/team/tool:1");
    assertThat(p.check("reg.example:5000/team/tool:1")).isEqualTo("reg.example:5000/team/tool:1");
    assertThat(p.check("other.example/x:1")).isEqualTo("other.example/x:1");
    assertThat(refusal(p, "elsewhere.example/team/tool:1")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(p.registryFallback("reg.example:5000/team/tool:1")).isNull();
  }

  @Test
  void runtimeImagesAreAlwaysAllowedAndKeepTheirNameWithAFallbackToTheRegistry() {
    ImagePolicy p = policy("reg.example:5000");
    assertThat(p.check("execgate/busybox:1.35")).isEqualTo("execgate/busybox:1.35");
    assertThat(p.resolve("execgate/busybox:1.35")).isEqualTo("execgate/busybox:1.35");
    assertThat(p.registryFallback("execgate/busybox:1.35")).isEqualTo("reg.example:5000/execgate/busybox:1.35");
    assertThat(p.check("reg.example/py:3")).isEqualTo("reg.example/py:3");
    assertThat(p.registryFallback("reg.example/py:3")).isNull();
    assertThat(refusal(p, "execgate/busybox:1.36")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(policy(null).registryFallback("execgate/busybox:1.35")).isNull();
  }

  @Test
  void digestPinningIsAcceptedAndCanBeRequired() {
    ImagePolicy open = policy("reg.example:5000", "team/*");
    assertThat(open.check("team/tool@" + DIGEST)).isEqualTo("reg.example:5000/team/tool@" + DIGEST);
    ImagePolicy pinnedOnly = new ImagePolicy(List.of(runtime("execgate/busybox:1.35")), new ImageCacheOptions()
      .setRegistry("reg.example:5000").setAllow(List.of("team/*")).setRequireDigest(true));
    assertThat(pinnedOnly.check("team/tool@" + DIGEST)).isEqualTo("reg.example:5000/team/tool@" + DIGEST);
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> pinnedOnly.check("team/tool:1"));
    assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(e.getMessage()).contains("pinned by digest");
    // the runtimes' own images need no digest
    assertThat(pinnedOnly.check("execgate/busybox:1.35")).isEqualTo("execgate/busybox:1.35");
    // an allow-list entry with a digest pins exactly that image
    ImagePolicy exact = policy(null, "team/tool@" + DIGEST);
    assertThat(exact.check("team/tool@" + DIGEST)).isEqualTo("team/tool@" + DIGEST);
    assertThat(refusal(exact, "team/tool@sha256:" + "cd".repeat(32))).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
    assertThat(refusal(exact, "team/tool:latest")).isEqualTo(ErrorCode.IMAGE_NOT_ALLOWED);
  }

  @Test
  void malformedReferencesAreInvalidRequests() {
    ImagePolicy p = policy(null, "*");
    assertThat(refusal(p, "Upper/Case")).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(refusal(p, "a@sha256:short")).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void theRegistryOfAnImage() {
    assertThat(ImagePolicy.registryOf("alpine:3")).isEqualTo("docker.io");
    assertThat(ImagePolicy.registryOf("127.0.0.1:5000/a/b:1")).isEqualTo("127.0.0.1:5000");
  }
}
