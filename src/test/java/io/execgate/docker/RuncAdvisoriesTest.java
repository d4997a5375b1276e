package io.execgate.docker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RuncAdvisoriesTest {

  @Test
  void debianBookwormsPatchedRuncIsNotRefusedThoughItsUpstreamNumberIsOld() {
    // what `docker version` reports on this machine: Debian's runc with DSA-5615-1
    RuncAdvisories.Verdict v = RuncAdvisories.assess("1.1.5+ds1", "1.1.5+ds1-1+deb12u1");
    assertThat(v.known()).isTrue();
    assertThat(v.vulnerable()).isFalse();
    assertThat(v.patchedBy()).isEqualTo("1.1.5+ds1-1+deb12u1");
    assertThat(v.describe()).contains("1.1.5+ds1-1+deb12u1").contains("CVE-2024-21626");
    // a later revision of the same package carries the fix too
    assertThat(RuncAdvisories.assess("1.1.5+ds1", "1.1.5+ds1-1+deb12u2").vulnerable()).isFalse();
  }

  @Test
  void theSamePackageBeforeTheSecurityUpdateIsVulnerable() {
    RuncAdvisories.Verdict v = RuncAdvisories.assess("1.1.5+ds1", "1.1.5+ds1-1");
    assertThat(v.vulnerable()).isTrue();
    assertThat(v.advisory().cve()).isEqualTo("CVE-2024-21626");
    assertThat(v.describe()).contains("runc 1.1.5+ds1-1 is vulnerable to CVE-2024-21626").contains("1.1.12");
    // the version alone (no package revision) cannot show the distribution's fix
    assertThat(RuncAdvisories.assess("1.1.5+ds1", null).vulnerable()).isTrue();
  }

  @Test
  void upstreamReleasesAreJudgedByTheirNumber() {
    // Docker's own packages (containerd.io) report git describe as the commit
    assertThat(RuncAdvisories.assess("1.1.12", "v1.1.12-0-g51d5e94").vulnerable()).isFalse();
    assertThat(RuncAdvisories.assess("1.1.11", "v1.1.11-0-g4bccb38").vulnerable()).isTrue();
    assertThat(RuncAdvisories.assess("1.2.8", "v1.2.8-0-g3a9e7d4").vulnerable()).isFalse();
    assertThat(RuncAdvisories.assess("1.0.0-rc93", null).advisory().cve()).isEqualTo("CVE-2024-21626");
    assertThat(RuncAdvisories.assess("1.0.0-rc92", null).vulnerable()).isFalse();
    assertThat(RuncAdvisories.assess("1.0.0-rc6", null).advisory().cve()).isEqualTo("CVE-2019-5736");
    assertThat(RuncAdvisories.assess("1.0.0-rc7", null).vulnerable()).isFalse();
    // a distribution's version the table does not know is judged by its upstream number
    assertThat(RuncAdvisories.assess("1.1.7-0ubuntu1~22.04.2", "").vulnerable()).isTrue();
  }

  @Test
  void aBareCommitHashIsUnknownNotRefused() {
    RuncAdvisories.Verdict hash = RuncAdvisories.assess(null, "dc9208a3303feef5b3839f4323d9beb36df0a9dd");
    assertThat(hash.known()).isFalse();
    assertThat(hash.vulnerable()).isFalse();
    assertThat(hash.describe()).contains("cannot tell");
    // with a readable version next to the hash, the version decides
    assertThat(RuncAdvisories.assess("1.1.10", "18a0cb0f32bcac2ecc9a10f327d282759c144dab").vulnerable()).isTrue();
    assertThat(RuncAdvisories.assess("", "").known()).isFalse();
  }

  @Test
  void debianVersionOrdering() {
    assertThat(DebianVersion.compare("1.1.5+ds1-1+deb12u1", "1.1.5+ds1-1")).isPositive();
    assertThat(DebianVersion.compare("1.1.5+ds1-1+deb12u2", "1.1.5+ds1-1+deb12u1")).isPositive();
    assertThat(DebianVersion.compare("1.1.5+ds1-2", "1.1.5+ds1-1+deb12u1")).isPositive();
    assertThat(DebianVersion.compare("1.0.0~rc93+ds1-5", "1.0.0+ds1-1")).isNegative();
    assertThat(DebianVersion.compare("1.0~rc1", "1.0")).isNegative();
    assertThat(DebianVersion.compare("1:0.1", "9.9")).isPositive();
    assertThat(DebianVersion.compare("1.10", "1.9")).isPositive();
    assertThat(DebianVersion.compare("1.1.5+ds1-1+deb12u1", "1.1.5+ds1-1+deb12u1")).isZero();
    assertThat(DebianVersion.compare("1.0a", "1.0+")).isNegative();
  }
}
