package io.execgate.request;

import io.execgate.GatewayOptions;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class VersionSelectorTest {

  /**
   * Each expectation is what npm's own semver (7.x, {@code semver.satisfies(version, range)}) answers.
   */
  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(delimiter = ';', value = {
    "* ; 3.11.2 ; true",
    "x ; 3.11.2 ; true",
    "3.11.2 ; 3.11.2 ; true",
    "v3.11.2 ; 3.11.2 ; true",
    "=3.11.2 ; 3.11.2 ; true",
    "3.11.2 ; 3.11.3 ; false",
    "3.x ; 3.11.2 ; true",
    "3.x ; 4.0.0 ; false",
    "3 ; 3.0.0 ; true",
    "3 ; 2.9.9 ; false",
    "3.11 ; 3.11.9 ; true",
    "3.11.* ; 3.12.0 ; false",
    "3.11.x ; 3.11.0 ; true",
    "3.X ; 3.1.0 ; true",
    "3.x.1 ; 3.11.1 ; false",
    ">=3.10 ; 3.11.2 ; true",
    ">= 3.10 ; 3.11.2 ; true",
    ">= 3.12 ; 3.11.2 ; false",
    ">3.11 ; 3.11.9 ; false",
    ">3.11 ; 3.12.0 ; true",
    "<=3.11 ; 3.11.9 ; true",
    "<3.11 ; 3.11.0 ; false",
    ">=3 <4 ; 3.99.0 ; true",
    ">=3 <4 ; 4.0.0 ; false",
    ">= 3 < 4 ; 3.5.0 ; true",
    "^3.10 ; 3.11.2 ; true",
    "^3.10 ; 4.0.0 ; false",
    "^0.2.1 ; 0.2.9 ; true",
    "^0.2.1 ; 0.3.0 ; false",
    "~3.11.1 ; 3.11.5 ; true",
    "~3.11.1 ; 3.12.0 ; false",
    "~3.11.1 ; 3.11.0 ; false",
    "2.x || 3.x ; 3.1.0 ; true",
    "1.x || 2.x ; 3.1.0 ; false",
    ">=3.12 || 3.10 - 3.11 ; 3.11.2 ; true",
    "18.20.4 ; 18.20.4 ; true",
    "18 ; 18.20.4 ; true",
    "15.10.0 ; 18.20.4 ; false",
    "3.10 - 3.12 ; 3.11.2 ; true",
    "3.10 - 3.12 ; 3.12.9 ; true",
    "3.10 - 3.12 ; 3.13.0 ; false",
    "3.10 - 3.12 ; 3.9.9 ; false",
    "3.10.1 - 3.11.2 ; 3.11.2 ; true",
    "3.10.1 - 3.11.2 ; 3.11.3 ; false",
    "1 - 2 ; 2.99.0 ; true",
    "* ; 3.13.0-rc.1 ; false",
    "3.x ; 3.13.0-rc.1 ; false",
    ">=3.12 ; 3.13.0-rc.1 ; false",
    ">=3.13.0-rc.0 ; 3.13.0-rc.1 ; true",
    ">=3.13.0-rc.0 ; 3.13.1 ; true",
    ">=3.12.0-rc.0 ; 3.13.0-rc.1 ; false",
    "3.13.0-rc.1 ; 3.13.0-rc.1 ; true",
    "3.13.0-rc.1 ; 3.13.0 ; false",
    "^3.13.0-beta ; 3.13.0-rc.1 ; true",
    "~3.13.0-alpha.1 ; 3.13.0-alpha.2 ; true",
    ">=3.13.0-alpha.10 ; 3.13.0-alpha.9 ; false",
    ">=3.13.0-alpha.2 ; 3.13.0-alpha.10 ; true",
    "3.11.2+build.5 ; 3.11.2 ; true",
    "3.11.2 ; 3.11.2+build.5 ; true",
    "3.11.2+build.5 ; 3.11.2+other ; true",
    ">=3.11.2+b ; 3.11.2 ; true",
    "banana ; 3.11.2 ; false",
    ">=banana ; 3.11.2 ; false",
    "3.11.2.1 ; 3.11.2 ; false",
    "3.11 - ; 3.11.2 ; false",
    ">= ; 3.11.2 ; false",
  })
  void selectsAsNpmSemverDoes(String selector, String version, boolean expected) {
    assertThat(VersionSelector.parse(selector).matches(version)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(delimiter = ';', value = {
    " ; 3.11.2 ; true",
    " ; 3.13.0-rc.1 ; true",
    " ; unknown ; true",
    "* ; unknown ; true",
    "x ; unknown ; true",
    "unknown ; unknown ; true",
    "unknown ; unknown2 ; false",
    "3.x ; unknown ; false",
    "3.x.1 ; 3.x.1 ; true",
    "3.11 ; 3.11 ; true",
    "3.x ; 3.11 ; true",
    ">=3.10 <3.12 ; 3.11 ; true",
    "3.12 ; 3.11 ; false",
    "3.11.2 ; v3.11.2 ; true",
  })
  void aVersionThatIsNoSemverVersionMatchesOnlyItsOwnSpelling(String selector, String version, boolean expected) {
    assertThat(VersionSelector.parse(selector).matches(version)).isEqualTo(expected);
  }

  private static RuntimeSpec python(String version, String image) {
    return new RuntimeSpec("python", List.of("py"), version, image, "main.py", null, "python3 {file}", 1000, false);
  }

  private static RuntimeCatalog catalog() {
    GatewayOptions options = new GatewayOptions()
      .setRuntimes(List.of(
        new RuntimeSpec("sh", List.of(), "1.35.0", null, "main.sh", null, "sh {file}", 1000, false),
        python("3.10.14", "py:3.10"), python("3.12.1", "py:3.12"), python("3.11.2", "py:3.11")));
    return new RuntimeCatalog(options.validate());
  }

  @Test
  void theNewestMatchingVersionWinsByNameOrAlias() {
    RuntimeCatalog catalog = catalog();
    assertThat(catalog.select("python", null).image()).isEqualTo("py:3.12");
    assertThat(catalog.select("PY", "*").image()).isEqualTo("py:3.12");
    assertThat(catalog.select("python", "3.11.x").image()).isEqualTo("py:3.11");
    assertThat(catalog.select("py", "<3.12").image()).isEqualTo("py:3.11");
    assertThat(catalog.select("python", "3.10.14").image()).isEqualTo("py:3.10");
    assertThat(catalog.select("sh", null).image()).isEqualTo(new GatewayOptions().getImages().getBaseImage());
  }

  @Test
  void aPrereleaseIsChosenOnlyWhenAskedForAndRanksBeforeItsRelease() {
    RuntimeCatalog catalog = new RuntimeCatalog(new GatewayOptions().setRuntimes(List.of(
      python("3.12.1", "py:3.12"), python("3.13.0-rc.1", "py:3.13rc1"), python("3.13.0-rc.2+b7", "py:3.13rc2"),
      python("3.11", "py:3.11"))).setDefaultRuntime("python").validate());
    assertThat(catalog.select("python", "*").image()).isEqualTo("py:3.12");
    assertThat(catalog.select("python", "3.x").image()).isEqualTo("py:3.12");
    assertThat(catalog.select("python", ">=3.13.0-rc.0").image()).isEqualTo("py:3.13rc2");
    assertThat(catalog.select("python", "3.13.0-rc.1").image()).isEqualTo("py:3.13rc1");
    assertThat(catalog.select("python", "3.10 - 3.11").image()).isEqualTo("py:3.11");
    assertThat(catalog.select("python", ">= 3.11 < 3.12").image()).isEqualTo("py:3.11");
    // no version asked for: the newest, a prerelease included
    assertThat(catalog.select("python", null).image()).isEqualTo("py:3.13rc2");
    assertThat(VersionSelector.newer("3.13.0", "3.13.0-rc.2")).isTrue();
    assertThat(VersionSelector.newer("3.13.0-rc.10", "3.13.0-rc.9")).isTrue();
    assertThat(VersionSelector.newer("1.0.0", "unknown")).isTrue();
    assertThat(VersionSelector.newer("unknown", "1.0.0")).isFalse();
  }

  @Test
  void anUnknownLanguageOrVersionNamesWhatIsAvailable() {
    GatewayException unknown = catchThrowableOfType(GatewayException.class, () -> catalog().select("cobol", null));
    assertThat(unknown.code()).isEqualTo(ErrorCode.UNSUPPORTED_LANGUAGE);
    assertThat(unknown.field()).isEqualTo("language");
    assertThat(unknown.getMessage()).isEqualTo("unknown language 'cobol'; available: sh 1.35.0, python 3.10.14, "
      + "python 3.12.1, python 3.11.2");
    GatewayException version = catchThrowableOfType(GatewayException.class, () -> catalog().select("py", "2.x"));
    assertThat(version.code()).isEqualTo(ErrorCode.UNSUPPORTED_LANGUAGE);
    assertThat(version.field()).isEqualTo("version");
    assertThat(version.getMessage()).startsWith("no version of language 'py' matches '2.x'; available: sh 1.35.0");
  }

  @Test
  void aNameMayServeSeveralVersionsButNotTwiceTheSame() {
    GatewayOptions twice = new GatewayOptions().setRuntimes(List.of(python("3.11.2", "a"), python("3.11.2", "b")));
    assertThat(catchThrowableOfType(io.execgate.config.ConfigException.class, twice::validate))
      .hasMessage("runtime name 'python' is used twice for version 3.11.2");
  }
}
