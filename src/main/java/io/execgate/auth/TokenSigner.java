package io.execgate.auth;

import io.vertx.core.shareddata.Shareable;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Signs and checks browser tokens' entries with HMAC-SHA256 over everything an entry says (the
 * token's hash, the key id, the scope and the expiry), under a secret only the gateways hold. The
 * tokens map is shared with every cluster member; a member without the secret can read hashes and
 * write entries, but cannot write one that a gateway accepts. Immutable, so shared by the HTTP
 * verticle instances of a gateway.
 */
public final class TokenSigner implements Shareable {

  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  /**
   * @param secret the secret, as configured ({@code auth.tokenSecret})
   */
  public TokenSigner(String secret) {
    this(secret.getBytes(StandardCharsets.UTF_8));
  }

  private TokenSigner(byte[] secret) {
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /**
   * @return a signer with a random secret of 256 bits: the tokens it signs are valid at this gateway only
   */
  public static TokenSigner random() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new TokenSigner(secret);
  }

  /**
   * @return the base64 MAC of an entry
   */
  public String sign(String tokenHash, String keyId, String execution, long expiresAt) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      // one field per line: no field can contain a newline (hex, key ids, execution ids, digits)
      String text = "egt1\n" + tokenHash + "\n" + keyId + "\n" + (execution == null ? "" : execution) + "\n" + expiresAt;
      return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @return whether {@code mac} is the MAC of this entry, compared in constant time
   */
  public boolean verify(String tokenHash, String keyId, String execution, long expiresAt, String mac) {
    if (mac == null || keyId == null || keyId.indexOf('\n') >= 0 || (execution != null && execution.indexOf('\n') >= 0)) {
      return false;
    }
    byte[] expected = sign(tokenHash, keyId, execution, expiresAt).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, mac.getBytes(StandardCharsets.US_ASCII));
  }
}
