package io.execgate.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The signature of a delivery, {@code Execgate-Signature: t=<unix seconds>,v1=<hex>}: the HMAC-SHA256,
 * keyed by the webhook secret, of {@code "<t>.<body>"}. The timestamp inside the signed text lets a
 * receiver refuse a replayed delivery (e.g. one older than five minutes).
 */
public final class WebhookSigner {

  private WebhookSigner() {
  }

  /**
   * @param secret  the webhook secret
   * @param seconds the delivery time, in unix seconds
   * @param body    the exact bytes of the body sent
   * @return the {@code Execgate-Signature} header's value
   */
  public static String header(String secret, long seconds, byte[] body) {
    return "t=" + seconds + ",v1=" + hmac(secret, seconds, body);
  }

  /**
   * @return the hex HMAC-SHA256 of {@code "<seconds>.<body>"} keyed by {@code secret}
   */
  public static String hmac(String secret, long seconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((seconds + ".").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is in every Java platform
      throw new IllegalStateException(e);
    }
  }
}
