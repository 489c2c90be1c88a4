package io.vmm.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which client settings are secrets, and their printable form. A key is a secret when it contains
 * {@code password}, {@code passphrase}, {@code sasl.jaas.config}, {@code secret} or {@code token}, or ends in
 * {@code .key} (any case; e.g. {@code ssl.key.password}, {@code producer.sasl.jaas.config}, {@code ssl.keystore.key}
 * (a PEM private key), {@code sasl.oauthbearer.assertion.private.key.passphrase}). PEM certificates
 * ({@code ssl.truststore.certificates}, {@code ssl.keystore.certificate.chain}) are public and not secrets.
 * Every {@code toString} of the config records prints settings through {@link #redacted}.
 */
public final class Secrets {

  /** What a secret value is printed as. */
  public static final String HIDDEN = "[hidden]";

  private Secrets() {
  }

  /** True if the value of {@code key} must never be printed. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("passphrase") || k.contains("sasl.jaas.config")
        || k.contains("secret") || k.contains("token") || k.endsWith(".key");
  }

  /** A sorted copy of {@code settings} for printing: the value of every secret key is {@link #HIDDEN}. */
  public static Map<String, Object> redacted(Map<String, ?> settings) {
    Map<String, Object> out = new TreeMap<>();
    settings.forEach((k, v) -> out.put(k, isSecret(k) ? HIDDEN : v));
    return out;
  }

  /** {@link #HIDDEN} for a set value, "null" for none. */
  static String hidden(Object value) {
    return value == null ? "null" : HIDDEN;
  }
}
