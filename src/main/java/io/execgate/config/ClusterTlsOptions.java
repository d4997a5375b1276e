package io.execgate.config;

import io.vertx.core.json.JsonObject;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Locale;

/**
 * TLS with client certificates on the cluster's event bus: every connection between two nodes is
 * encrypted, and both ends must present a certificate that the trust store vouches for, so that a
 * machine that reaches the event-bus port without such a certificate can neither deliver nor receive
 * a message. Hazelcast's own member traffic (membership and the cluster-wide maps) is not covered:
 * TLS for it is a Hazelcast Enterprise feature.
 */
public class ClusterTlsOptions {

  public static final boolean DEFAULT_ENABLED = false;

  private boolean enabled;
  private String keyStore;
  private String keyStorePassword;
  private String trustStore;
  private String trustStorePassword;

  public ClusterTlsOptions() {
    enabled = DEFAULT_ENABLED;
  }

  public ClusterTlsOptions(ClusterTlsOptions other) {
    this(other.toJson());
  }

  /**
   * Reads options from JSON, strictly: unknown keys and ill-typed values fail with a
   * {@link ConfigException} naming the key.
   */
  public ClusterTlsOptions(JsonObject json) {
    this(new JsonReader(json == null ? new JsonObject() : json, "cluster.tls", ConfigException::new));
  }

  ClusterTlsOptions(JsonReader r) {
    this();
    enabled = r.getBoolean("enabled", enabled);
    keyStore = r.getString("keyStore", null);
    keyStorePassword = r.getString("keyStorePassword", null);
    trustStore = r.getString("trustStore", null);
    trustStorePassword = r.getString("trustStorePassword", null);
    r.finish();
  }

  /**
   * Checks the options; with TLS on, that both stores are named.
   *
   * @return a reference to this, so the API can be used fluently
   * @throws ConfigException naming the first key that cannot work
   */
  public ClusterTlsOptions validate() {
    if (enabled && (keyStore == null || keyStore.isBlank())) {
      throw new ConfigException("cluster.tls.keyStore", "cluster.tls.keyStore is required with cluster.tls.enabled: "
        + "this node's certificate and key (PKCS#12, or JKS by its .jks name)");
    }
    if (enabled && (trustStore == null || trustStore.isBlank())) {
      throw new ConfigException("cluster.tls.trustStore", "cluster.tls.trustStore is required with cluster.tls.enabled: "
        + "the certificate authority that signs every node's certificate");
    }
    return this;
  }

  /**
   * Opens both stores, so that a wrong path or password is one clear line at startup rather than a
   * failed handshake later.
   *
   * @throws ConfigException naming the store that cannot be used
   */
  public void check() {
    if (!enabled) {
      return;
    }
    KeyStore keys = load("cluster.tls.keyStore", keyStore, keyStorePassword);
    KeyStore trust = load("cluster.tls.trustStore", trustStore, trustStorePassword);
    try {
      if (Collections.list(keys.aliases()).stream().noneMatch(a -> isKey(keys, a))) {
        throw new ConfigException("cluster.tls.keyStore", "cluster.tls.keyStore " + keyStore + " holds no private key");
      }
      if (trust.size() == 0) {
        throw new ConfigException("cluster.tls.trustStore", "cluster.tls.trustStore " + trustStore
          + " holds no certificate");
      }
    } catch (java.security.KeyStoreException e) {
      throw new ConfigException("cluster.tls", "cluster.tls: " + e.getMessage());
    }
  }

  private static boolean isKey(KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (java.security.KeyStoreException e) {
      return false;
    }
  }

  private static KeyStore load(String key, String path, String password) {
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      KeyStore store = KeyStore.getInstance(type(path));
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (Exception e) {
      throw new ConfigException(key, key + " " + path + " cannot be read: " + e.getMessage());
    }
  }

  /**
   * @return the store type of {@code path}: {@code JKS} for a {@code .jks} file, else {@code PKCS12}
   */
  public static String type(String path) {
    return path.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
  }

  /**
   * @return whether the event bus uses TLS with client certificates
   */
  public boolean isEnabled() {
    return enabled;
  }

  public ClusterTlsOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * @return the path of this node's key store: its certificate, signed by the cluster's authority, and key
   */
  public String getKeyStore() {
    return keyStore;
  }

  public ClusterTlsOptions setKeyStore(String keyStore) {
    this.keyStore = keyStore;
    return this;
  }

  /**
   * @return the key store's password
   */
  public String getKeyStorePassword() {
    return keyStorePassword;
  }

  public ClusterTlsOptions setKeyStorePassword(String keyStorePassword) {
    this.keyStorePassword = keyStorePassword;
    return this;
  }

  /**
   * @return the path of the trust store: the authority whose certificates the nodes accept
   */
  public String getTrustStore() {
    return trustStore;
  }

  public ClusterTlsOptions setTrustStore(String trustStore) {
    this.trustStore = trustStore;
    return this;
  }

  /**
   * @return the trust store's password
   */
  public String getTrustStorePassword() {
    return trustStorePassword;
  }

  public ClusterTlsOptions setTrustStorePassword(String trustStorePassword) {
    this.trustStorePassword = trustStorePassword;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("keyStore", keyStore)
      .put("keyStorePassword", keyStorePassword)
      .put("trustStore", trustStore)
      .put("trustStorePassword", trustStorePassword);
  }

  @Override
  public String toString() {
    JsonObject json = toJson();
    if (keyStorePassword != null) {
      json.put("keyStorePassword", "***");
    }
    if (trustStorePassword != null) {
      json.put("trustStorePassword", "***");
    }
    return json.encode();
  }
}
