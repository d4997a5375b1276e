package io.execgate.it;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Certificates made for one test run with BouncyCastle (which docker-java brings): an authority, and
 * node certificates it signs (or that sign themselves), written as PKCS#12 stores.
 */
final class TestCertificates {

  static final String PASSWORD = "it-" + Long.toHexString(new SecureRandom().nextLong());

  private final KeyPair key;
  private final X509Certificate certificate;

  private TestCertificates(KeyPair key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /**
   * @return a new certificate authority
   */
  static TestCertificates authority(String name) throws Exception {
    KeyPair key = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    return new TestCertificates(key, sign(subject, key, subject, key, true));
  }

  /**
   * Writes a key store with a node certificate this authority signs.
   */
  Path nodeKeyStore(Path dir, String name) throws Exception {
    KeyPair node = keyPair();
    X509Certificate cert = sign(new X500Name("CN=" + name), node, new X500Name(certificate.getSubjectX500Principal()
      .getName()), key, false);
    return write(dir.resolve(name + ".p12"), node, new Certificate[]{cert, certificate});
  }

  /**
   * Writes the trust store that holds this authority.
   */
  Path trustStore(Path dir) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", certificate);
    Path file = dir.resolve("trust-" + certificate.getSerialNumber() + ".p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD.toCharArray());
    }
    return file;
  }

  private static Path write(Path file, KeyPair key, Certificate[] chain) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("node", key.getPrivate(), PASSWORD.toCharArray(), chain);
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD.toCharArray());
    }
    return file;
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X500Name subject, KeyPair subjectKey, X500Name issuer, KeyPair issuerKey,
                                      boolean authority) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
      new BigInteger(64, new SecureRandom()).add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
      Date.from(now.plus(Duration.ofDays(1))), subject, subjectKey.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
    if (authority) {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[]{
        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    }
    return new JcaX509CertificateConverter().getCertificate(builder.build(
      new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
  }
}
